"""Load shedding through a real server: a bounded number of requests in flight per replica (running plus
waiting), an immediate 503 `server_overloaded` with `Retry-After` beyond it, saturation in `/ready` and
`/metrics` while `/ready` stays 200, and requests whose client has gone never reaching the engine.

The server runs `--max-num-seqs 2 --max-num-queued-reqs 3` on the tiny model with a long context, so
that a few streams of thousands of tokens hold its places for seconds; raw sockets that never read
their answer hold them, and closing them lets them go."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ConfigRoot, write_config
from tests.servers import Server, metric, run_cli
from tests.tiny_model import manifest_yaml

LABELS = {"model_name": "eu-tiny", "region": "eu-test"}
# Long enough to hold a place for seconds on any machine; every such stream is closed by its test.
LONG = 6000


@pytest.fixture(scope="module")
def long_config(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> ConfigRoot:
    """The tiny model's configuration with a context of 8192 tokens (its positions are computed, not
    learned: it runs past its nominal 1024)."""
    base = tmp_path_factory.mktemp("overload")
    config = write_config(base / "conf", tiny_model_dir, base / "cache")
    for jurisdiction in ("eu", "us"):
        manifest = manifest_yaml(tiny_model_dir, f"{jurisdiction}-tiny", jurisdiction.upper(), 8192)
        (config.models_dir / jurisdiction / "tiny.yaml").write_text(manifest + "aliases: [assistant]\n")
    return config


@pytest.fixture(scope="module")
def bounded(long_config: ConfigRoot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that runs 2 sequences and holds at most 3."""
    log = tmp_path_factory.mktemp("overload-logs") / "server.log"
    args = ["--region", "eu-test", "--max-num-seqs", "2", "--max-num-queued-reqs", "3"]
    running = Server(args, long_config.env(), log)
    running.wait_ready()
    yield running
    running.stop()


def _chat(content: str, max_tokens: int, stream: bool = False) -> dict[str, Any]:
    return {
        "model": "eu-tiny",
        "messages": [{"role": "user", "content": content}],
        "max_tokens": max_tokens,
        "temperature": 0,
        "stream": stream,
    }


def _request_bytes(label: str, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Data-Origin: DE\r\nX-Client-Label: {label}\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


def _open(server: Server, label: str, body: dict[str, Any]) -> socket.socket:
    """A chat request sent whole on a raw socket whose answer is never read."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(_request_bytes(label, body))
    return sock


def _send_and_leave(server: Server, label: str, body: dict[str, Any]) -> None:
    """A chat request whose client is gone when it arrives: corked, its bytes leave with the FIN in one
    segment, so that the server cannot start on it before the close is there to be seen."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        sock.sendall(_request_bytes(label, body))
        sock.shutdown(socket.SHUT_WR)


def _ready(server: Server) -> httpx.Response:
    return httpx.get(f"{server.url}/ready", timeout=10)


def _until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.02)


def _engine_holds(server: Server, running: int, waiting: int) -> bool:
    body = _ready(server).json()
    return (body["running"], body["waiting"]) == (running, waiting)


def _idle(server: Server) -> bool:
    body = _ready(server).json()
    return (body["running"], body["waiting"], body.get("in_flight", 0)) == (0, 0, 0)


def _records(config: ConfigRoot, identity: str) -> list[dict[str, Any]]:
    result = run_cli("audit", "export", env=config.env(), timeout=120)
    assert result.returncode == 0, result.stderr
    return [r for line in result.stdout.splitlines() if (r := json.loads(line))["identity"] == identity]


@pytest.fixture
def holders(bounded: Server) -> Iterator[list[socket.socket]]:
    """Raw sockets of a test's long requests, closed when it ends (which aborts them)."""
    opened: list[socket.socket] = []
    yield opened
    for sock in opened:
        sock.close()
    _until(lambda: _idle(bounded), "the server let go of every request")


def test_beyond_the_bound_a_request_is_refused_at_once(
    bounded: Server, long_config: ConfigRoot, holders: list[socket.socket]
) -> None:
    run = uuid.uuid4().hex[:8]
    refused_before = metric(bounded, "regional_llm:request_refused_total", code="server_overloaded", **LABELS)
    holders += [_open(bounded, f"hold-{run}", _chat(f"hold {i}", LONG, stream=True)) for i in range(2)]
    _until(lambda: _engine_holds(bounded, 2, 0), "two streams running")
    holders.append(_open(bounded, f"hold-{run}", _chat("hold 2", LONG, stream=True)))
    _until(lambda: _engine_holds(bounded, 2, 1), "a third stream waiting")

    started = time.perf_counter()
    refused = httpx.post(
        f"{bounded.url}/v1/chat/completions",
        json=_chat("one too many", 4),
        headers={"X-Data-Origin": "DE", "X-Client-Label": f"over-{run}"},
        timeout=120,
    )
    elapsed = time.perf_counter() - started
    assert refused.status_code == 503, refused.text
    assert refused.json()["error"]["code"] == "server_overloaded"
    assert refused.json()["error"]["type"] == "server_error"
    assert int(refused.headers["retry-after"]) >= 1
    assert elapsed < 2.0, f"the refusal took {elapsed:.2f} s"

    # Saturation is reported, but the replica stays ready: every replica saturated must not mean no
    # endpoints at all.
    ready = _ready(bounded)
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert (body["saturated"], body["in_flight"], body["max_num_queued_reqs"]) == (True, 3, 3)
    assert metric(bounded, "regional_llm:saturated", **LABELS) == 1
    assert metric(bounded, "regional_llm:num_requests_in_flight", **LABELS) == 3
    assert metric(bounded, "regional_llm:max_num_queued_reqs", **LABELS) == 3
    assert (
        metric(bounded, "regional_llm:request_refused_total", code="server_overloaded", **LABELS)
        == refused_before + 1
    )

    for sock in holders:
        sock.close()
    _until(lambda: _idle(bounded), "the server let go of every request")
    assert _ready(bounded).json()["saturated"] is False
    assert metric(bounded, "regional_llm:saturated", **LABELS) == 0
    [record] = _records(long_config, f"over-{run}")
    # Shed by decision: a refusal, though its status is a 5xx.
    assert (record["decision"], record["reason"], record["status"]) == ("refused", "server_overloaded", 503)


def test_a_queued_request_whose_client_left_is_dropped_from_the_queue(
    bounded: Server, long_config: ConfigRoot, holders: list[socket.socket]
) -> None:
    run = uuid.uuid4().hex[:8]
    holders += [_open(bounded, f"hold-{run}", _chat(f"hold {i}", LONG, stream=True)) for i in range(2)]
    _until(lambda: _engine_holds(bounded, 2, 0), "two streams running")
    queued = _open(bounded, f"gone-{run}", _chat("gone while queued", LONG))
    _until(lambda: _engine_holds(bounded, 2, 1), "the third request waiting")

    queued.close()
    # Dropped at once, while the two streams still run: not when a place frees up.
    _until(lambda: _engine_holds(bounded, 2, 0), "the abandoned request left the queue", timeout=3)
    assert _ready(bounded).json()["in_flight"] == 2

    for sock in holders:
        sock.close()
    _until(lambda: _idle(bounded), "the server let go of every request")
    [record] = _records(long_config, f"gone-{run}")
    assert record["decision"] == "aborted"
    assert record["completion_tokens"] == 0, "the abandoned request reached the engine"


def test_a_request_whose_client_left_before_it_was_submitted_never_reaches_the_engine(
    bounded: Server, long_config: ConfigRoot
) -> None:
    run = uuid.uuid4().hex[:8]
    generated = metric(bounded, "regional_llm:generation_tokens_total", **LABELS)
    _send_and_leave(bounded, f"early-{run}", _chat("gone before it was submitted", LONG))
    _until(lambda: len(_records(long_config, f"early-{run}")) == 1, "the abandoned request's record")
    [record] = _records(long_config, f"early-{run}")
    assert record["decision"] == "aborted", {k: record[k] for k in ("status", "reason", "completion_tokens")}
    assert record["completion_tokens"] == 0, "the abandoned request reached the engine"
    assert metric(bounded, "regional_llm:generation_tokens_total", **LABELS) == generated
    assert _idle(bounded)


def test_a_batch_takes_a_place_per_prompt_all_or_nothing(
    bounded: Server, long_config: ConfigRoot, holders: list[socket.socket]
) -> None:
    run = uuid.uuid4().hex[:8]

    def batch(prompts: int, label: str) -> httpx.Response:
        body = {"model": "eu-tiny", "prompt": ["Hi"] * prompts, "max_tokens": 2, "temperature": 0}
        headers = {"X-Data-Origin": "DE", "X-Client-Label": label}
        return httpx.post(f"{bounded.url}/v1/completions", json=body, headers=headers, timeout=60)

    # More prompts than the bound, on an idle replica: served (never a request refused for good).
    served = batch(5, f"big-{run}")
    assert served.status_code == 200, served.text
    assert len(served.json()["choices"]) == 5

    holders.append(_open(bounded, f"hold-{run}", _chat("hold", LONG, stream=True)))
    _until(lambda: _engine_holds(bounded, 1, 0), "one stream running")
    # Two places left: three prompts do not fit, and none of them is started.
    refused = batch(3, f"three-{run}")
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "server_overloaded"
    assert _ready(bounded).json()["in_flight"] == 1
    fits = batch(2, f"two-{run}")
    assert fits.status_code == 200, fits.text
    assert len(fits.json()["choices"]) == 2


def test_the_bound_is_a_setting_refused_when_not_positive(long_config: ConfigRoot) -> None:
    result = run_cli("serve", "--region", "eu-test", "--max-num-queued-reqs", "0", env=long_config.env())
    assert result.returncode == 2
    assert "max_num_queued_reqs" in result.stderr
    assert "REGIONAL_LLM_MAX_NUM_QUEUED_REQS" in result.stderr
