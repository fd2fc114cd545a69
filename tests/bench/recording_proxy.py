"""A reverse proxy that records when requests arrive and when each streamed chunk with output passes,
so that tests can check the benchmark's numbers against timestamps taken outside it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tests.servers import free_port


@dataclass
class Passage:
    """One request as the proxy saw it."""

    prompt: str
    arrived: float
    output_at: list[float] = field(default_factory=list)
    completion_tokens: int | None = None
    status: int = 0


class RecordingProxy:
    """Forwards every request to `upstream` and records a `Passage` per request."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.passages: list[Passage] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        body = await request.body()
        parsed = json.loads(body) if body else {}
        prompt = parsed.get("prompt") or json.dumps(parsed.get("messages"))
        passage = Passage(prompt=str(prompt), arrived=time.perf_counter())
        # Generation requests only: the benchmark's samples of /metrics pass through unrecorded.
        if request.method == "POST":
            with self._lock:
                self.passages.append(passage)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        client = httpx.AsyncClient(timeout=120)
        upstream = await client.send(
            client.build_request(
                request.method, self.upstream + request.url.path, headers=headers, content=body
            ),
            stream=True,
        )
        passage.status = upstream.status_code
        kept = {
            k: v
            for k, v in upstream.headers.items()
            if k.lower() not in ("content-length", "transfer-encoding", "content-encoding")
        }

        async def relay() -> AsyncIterator[bytes]:
            try:
                async for line in upstream.aiter_lines():
                    if line.startswith("data: {"):
                        chunk = json.loads(line.removeprefix("data: "))
                        choices = chunk.get("choices") or []
                        if any((c.get("delta") or {}).get("content") or c.get("text") for c in choices):
                            passage.output_at.append(time.perf_counter())
                        if chunk.get("usage"):
                            passage.completion_tokens = chunk["usage"]["completion_tokens"]
                    yield (line + "\n").encode()
            finally:
                await upstream.aclose()
                await client.aclose()

        if upstream.status_code != 200:
            content = await upstream.aread()
            await upstream.aclose()
            await client.aclose()
            await Response(content, upstream.status_code, headers=kept)(scope, receive, send)
            return
        await StreamingResponse(relay(), headers=kept)(scope, receive, send)


@contextmanager
def recording_proxy(upstream: str) -> Iterator[tuple[str, RecordingProxy]]:
    """A running proxy to `upstream`: yields its URL and its records."""
    proxy = RecordingProxy(upstream)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(proxy, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the recording proxy did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", proxy
    finally:
        server.should_exit = True
        thread.join(10)
