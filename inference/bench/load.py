"""Send a workload to an OpenAI-compatible endpoint and record, per request, what the client saw:
when it was sent, when each streamed chunk with output arrived, the token counts the server reported,
its error code (and `Retry-After`) if it failed, and the server's own stage times (Server-Timing) if it
sends them. While a level runs, the server's resident memory is sampled from its `/metrics`
(`process_resident_memory_bytes`, which ours and vLLM's server both export), where it answers.

Timing definitions follow `vllm bench serve`: TTFT from sending to the first chunk with output, ITL
between consecutive such chunks, end-to-end latency from sending to the last one."""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from inference.bench.workload import BenchPrompt

_TIMING_ENTRY = re.compile(r"\s*([A-Za-z0-9_.-]+)\s*;\s*dur=([0-9.]+)\s*")


@dataclass(frozen=True)
class Target:
    """One endpoint: its base URL (`http://host:port`, with or without `/v1`), the API path, the model
    name and the headers every request carries (origin tags, keys)."""

    base_url: str
    model: str
    endpoint: str = "/v1/chat/completions"
    headers: tuple[tuple[str, str], ...] = ()
    temperature: float = 0.0

    @property
    def url(self) -> str:
        base = self.base_url.rstrip("/")
        path = self.endpoint
        if base.endswith("/v1") and path.startswith("/v1/"):
            path = path.removeprefix("/v1")
        return base + path

    @property
    def metrics_url(self) -> str:
        """The server's Prometheus endpoint, beside its API."""
        return self.base_url.rstrip("/").removesuffix("/v1") + "/metrics"

    @property
    def chat(self) -> bool:
        return self.endpoint.rstrip("/").endswith("/chat/completions")

    def body(self, prompt: BenchPrompt) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": prompt.output_len,
            "temperature": self.temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if self.chat:
            body["messages"] = prompt.chat()
        else:
            body["prompt"] = prompt.text
        return body


@dataclass
class RequestRecord:
    """What one request did, as the client saw it. Times are seconds; `sent` is on `time.perf_counter`."""

    sent: float = 0.0
    status: int = 0
    error: str | None = None
    retry_after: str | None = None
    """The `Retry-After` of an error response, as sent."""
    ttft: float | None = None
    itl: list[float] = field(default_factory=list)
    latency: float = 0.0
    prompt_tokens: int = 0
    output_tokens: int = 0
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def tpot(self) -> float | None:
        """Time per output token after the first, as vLLM defines it."""
        if self.ttft is None or self.output_tokens < 2:
            return None
        return (self.latency - self.ttft) / (self.output_tokens - 1)


def parse_server_timing(value: str) -> dict[str, float]:
    """`origin;dur=0.021, audit;dur=0.4` as seconds by stage; entries without a duration are skipped."""
    stages = {}
    for part in value.split(","):
        match = _TIMING_ENTRY.fullmatch(part)
        if match is not None:
            stages[match[1]] = float(match[2]) / 1000
    return stages


def _chunk_has_output(chunk: dict[str, Any]) -> bool:
    for choice in chunk.get("choices") or []:
        delta = choice.get("delta")
        if isinstance(delta, dict) and (delta.get("content") or delta.get("reasoning_content")):
            return True
        if choice.get("text"):
            return True
    return False


def _error_code(status: int, body: bytes) -> str:
    """`<status> <code>` from an OpenAI-shaped error body, or the bare status."""
    try:
        error = json.loads(body).get("error", {})
        code = error.get("code") or error.get("type")
    except (ValueError, AttributeError):
        code = None
    return f"{status} {code}" if code else str(status)


async def _event_lines(response: httpx.Response) -> AsyncIterator[str]:
    """The lines of an event stream, split at line feeds only: a model may write U+2028 or a form feed
    inside a JSON string, where `aiter_lines` (which splits like `str.splitlines`) would cut the event."""
    pending = ""
    async for text in response.aiter_text():
        *lines, pending = (pending + text).split("\n")
        for line in lines:
            yield line.removesuffix("\r")
    if pending:
        yield pending


async def send(client: httpx.AsyncClient, target: Target, prompt: BenchPrompt) -> RequestRecord:
    """Send one streamed request and record it. Never raises for what the server or network did."""
    record = RequestRecord()
    record.sent = started = time.perf_counter()
    last = started
    try:
        async with client.stream(
            "POST", target.url, json=target.body(prompt), headers=dict(target.headers)
        ) as r:
            record.status = r.status_code
            if r.status_code != 200:
                record.error = _error_code(r.status_code, await r.aread())
                record.retry_after = r.headers.get("retry-after")
                record.stages = parse_server_timing(r.headers.get("server-timing", ""))
                record.latency = time.perf_counter() - started
                return record
            record.stages = parse_server_timing(r.headers.get("server-timing", ""))
            async for line in _event_lines(r):
                now = time.perf_counter()
                if line.startswith(": server-timing "):
                    record.stages = parse_server_timing(line.removeprefix(": server-timing "))
                    continue
                if not line.startswith("data:"):
                    continue
                payload = line.removeprefix("data:").strip()
                if payload == "[DONE]":
                    break
                chunk = json.loads(payload)
                if "error" in chunk:
                    record.error = "stream " + str(chunk["error"].get("code") or chunk["error"].get("type"))
                    break
                if _chunk_has_output(chunk):
                    if record.ttft is None:
                        record.ttft = now - started
                    else:
                        record.itl.append(now - last)
                    last = now
                usage = chunk.get("usage")
                if usage:
                    record.prompt_tokens = int(usage.get("prompt_tokens") or 0)
                    record.output_tokens = int(usage.get("completion_tokens") or 0)
    except httpx.HTTPError as exc:
        record.error = f"network {type(exc).__name__}"
    except (ValueError, KeyError, TypeError):
        record.error = "bad_response"
    record.latency = last - started
    if record.ok and record.ttft is None:
        record.error = "no_output"
    return record


def arrival_gaps(count: int, request_rate: float, burstiness: float, seed: int) -> list[float]:
    """Seconds to wait before each request: none at an infinite rate, else gamma-distributed gaps with
    mean 1/rate (burstiness 1 is a Poisson process), as in `vllm bench serve`."""
    if request_rate == float("inf"):
        return [0.0] * count
    rng = random.Random(seed)
    theta = 1.0 / (request_rate * burstiness)
    return [rng.gammavariate(burstiness, theta) for _ in range(count)]


@dataclass
class LevelRun:
    """One load level against one target: its records, the wall time from first send to last answer,
    and the server's resident memory (bytes) sampled during it (empty: the server did not say)."""

    target: Target
    max_concurrency: int | None
    request_rate: float
    records: list[RequestRecord]
    duration: float
    server_rss: list[float] = field(default_factory=list)


_RSS_SAMPLE = re.compile(r"^process_resident_memory_bytes(?:\{[^}]*\})? ([0-9.e+]+)$", re.M)
RSS_INTERVAL = 0.5
"""Seconds between two samples of the server's memory."""


async def server_rss(client: httpx.AsyncClient, target: Target) -> float | None:
    """The server's resident memory in bytes from its `/metrics`, or None if it does not tell."""
    try:
        response = await client.get(target.metrics_url, headers=dict(target.headers))
    except httpx.HTTPError:
        return None
    found = _RSS_SAMPLE.search(response.text) if response.status_code == 200 else None
    return float(found[1]) if found else None


async def _sample_rss(target: Target, samples: list[float], done: asyncio.Event) -> None:
    """Sample the server's memory until `done` is set (at once if it does not report it)."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0)) as client:
        while (value := await server_rss(client, target)) is not None:
            samples.append(value)
            try:
                await asyncio.wait_for(done.wait(), RSS_INTERVAL)
            except TimeoutError:
                continue
            # One last sample after the level, once its requests have all ended.
            if (last := await server_rss(client, target)) is not None:
                samples.append(last)
            return


async def run_level(
    target: Target,
    prompts: Sequence[BenchPrompt],
    *,
    max_concurrency: int | None,
    request_rate: float = float("inf"),
    burstiness: float = 1.0,
    seed: int = 0,
    on_done: Callable[[], object] | None = None,
    request_timeout: float = 600.0,
) -> LevelRun:
    """Send every prompt, at `request_rate` and at most `max_concurrency` at once; wait for all."""
    limit = max_concurrency or len(prompts) or 1
    semaphore = asyncio.Semaphore(limit)
    limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
    async with httpx.AsyncClient(timeout=httpx.Timeout(request_timeout), limits=limits) as client:

        async def one(prompt: BenchPrompt) -> RequestRecord:
            async with semaphore:
                record = await send(client, target, prompt)
            if on_done is not None:
                on_done()
            return record

        rss: list[float] = []
        done = asyncio.Event()
        sampler = asyncio.create_task(_sample_rss(target, rss, done))
        started = time.perf_counter()
        tasks = []
        for prompt, gap in zip(
            prompts, arrival_gaps(len(prompts), request_rate, burstiness, seed), strict=True
        ):
            if gap:
                await asyncio.sleep(gap)
            tasks.append(asyncio.create_task(one(prompt)))
        records = list(await asyncio.gather(*tasks))
        duration = time.perf_counter() - started
        done.set()
        await sampler
    return LevelRun(target, max_concurrency, request_rate, records, duration, rss)
