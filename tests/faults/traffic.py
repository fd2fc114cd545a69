"""Requests for the fault-injection tests, each with its own id and its outcome as the client saw it, and
the audit records that name them.

A request is *acknowledged* when the client got a 200 with its whole body (for a stream, every event up
to `[DONE]` and no error event): those are the answers that must each have an audit record.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.servers import run_cli

# The refusals a fault may cause: the documented 503s, each with its Retry-After.
FAULT_CODES = frozenset({"audit_unavailable", "engine_unavailable"})


@dataclass
class Outcome:
    """What the client got for one request."""

    request_id: str
    status: int = 0
    code: str | None = None
    """The OpenAI error code of an error response, or of the error event that ended a stream."""
    acknowledged: bool = False
    retry_after: str | None = None
    transport_error: str | None = None
    events: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.request_id}: {self.status} {self.code or ''} {self.transport_error or ''}".strip()


def chat_body(max_tokens: int = 8, stream: bool = False, model: str = "eu-tiny") -> dict[str, Any]:
    """A chat request for the tiny model."""
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": "Where is my parcel?"}],
        "max_tokens": max_tokens,
    }
    if stream:
        body["stream"] = True
    return body


def error_code(payload: Any) -> str | None:
    """The `code` of an OpenAI-shaped error body; None if `payload` is not one."""
    if not isinstance(payload, dict) or not isinstance(payload.get("error"), dict):
        return None
    error = payload["error"]
    if set(error) != {"message", "type", "param", "code"}:
        return None
    code = error["code"]
    return code if isinstance(code, str) else None


def send(
    url: str,
    body: dict[str, Any],
    *,
    path: str = "/v1/chat/completions",
    on_event: Callable[[Outcome], None] | None = None,
    timeout: float = 60,
) -> Outcome:
    """Send one request with a fresh X-Request-Id and X-Data-Origin: DE; never raises. `on_event` is
    called after each streamed `data:` event (the fault tests strike from it)."""
    outcome = Outcome(f"fault-{uuid.uuid4().hex}")
    headers = {"X-Data-Origin": "DE", "X-Request-Id": outcome.request_id}
    try:
        with httpx.stream("POST", f"{url}{path}", json=body, headers=headers, timeout=timeout) as response:
            outcome.status = response.status_code
            outcome.retry_after = response.headers.get("retry-after")
            if response.status_code != 200:
                outcome.code = error_code(json.loads(response.read() or b"null"))
                return outcome
            if not body.get("stream"):
                outcome.acknowledged = "choices" in json.loads(response.read())
                return outcome
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                event = line.removeprefix("data: ")
                outcome.events.append(event)
                if event != "[DONE]" and (code := error_code(json.loads(event))) is not None:
                    outcome.code = code
                if on_event is not None:
                    on_event(outcome)
            outcome.acknowledged = outcome.code is None and outcome.events[-1:] == ["[DONE]"]
    except (httpx.HTTPError, ValueError) as exc:
        outcome.transport_error = type(exc).__name__
    return outcome


class Load:
    """A thread per body, each sending its body again and again until stopped; every outcome kept."""

    def __init__(self, url: str, bodies: Sequence[dict[str, Any]]) -> None:
        self.outcomes: list[Outcome] = []
        self._url = url
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, args=(b,), daemon=True) for b in bodies]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(120)

    def count(self, predicate: Callable[[Outcome], bool]) -> int:
        with self._lock:
            return sum(1 for o in self.outcomes if predicate(o))

    def since(self, index: int) -> list[Outcome]:
        """The outcomes from the `index`-th one on."""
        with self._lock:
            return self.outcomes[index:]

    def _client(self, body: dict[str, Any]) -> None:
        while not self._stop.is_set():
            outcome = send(self._url, body)
            with self._lock:
                self.outcomes.append(outcome)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` every 0.1 s; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.1)


def exported_records(env: dict[str, str]) -> list[dict[str, Any]]:
    """Every record of the server's audit store, through `regional-llm audit export`."""
    result = run_cli("audit", "export", env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def records_of(records: Iterable[dict[str, Any]], request_id: str) -> list[dict[str, Any]]:
    """The records that name the caller's `request_id` (as their id, or in a field of their own)."""
    return [r for r in records if request_id in (v for v in r.values() if isinstance(v, str))]


def unrecorded(outcomes: Iterable[Outcome], env: dict[str, str]) -> list[str]:
    """The acknowledged requests without exactly one audit record: must be empty."""
    records = exported_records(env)
    return [str(o) for o in outcomes if o.acknowledged and len(records_of(records, o.request_id)) != 1]


def verify_chain(env: dict[str, str]) -> str:
    """`regional-llm audit verify` on the server's store; fails the test unless the chain verifies."""
    result = run_cli("audit", "verify", env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
