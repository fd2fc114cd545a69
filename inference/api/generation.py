"""Running generations for a request: limits, metrics, Server-Sent Events.

A `TrackedGeneration` wraps one engine stream. `start()` waits for the first delta before any response
header is sent, so a request that fails before its first token gets a proper HTTP error status; after
that, errors travel inside the SSE stream as `data: {"error": ...}` (see `inference.api.pipeline`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Mapping, Sequence
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Send

from inference.api.admission import Place
from inference.api.schemas import SamplingFields, Usage
from inference.api.timing import StageTimes
from inference.builds.manifest import ModelBuild
from inference.engines.base import Engine, FinishReason, GenerationDelta, GenerationRequest, SamplingParams
from inference.errors import ContextLengthExceeded, ServiceError
from inference.metrics import ServiceMetrics
from inference.privacy.restore import StreamRestorer

T = TypeVar("T")


def plan_sampling(
    build: ModelBuild, prompt_tokens: int, requested_max_tokens: int | None, fields: SamplingFields
) -> SamplingParams:
    """Sampling parameters within the build's context length, or 400 `context_length_exceeded`."""
    room = build.context_length - prompt_tokens
    max_tokens = min(build.default_max_tokens, room) if requested_max_tokens is None else requested_max_tokens
    if room < 1 or max_tokens > room:
        asked = requested_max_tokens if requested_max_tokens is not None else 1
        raise ContextLengthExceeded(
            f"This model's maximum context length is {build.context_length} tokens. However, you requested "
            f"{prompt_tokens + asked} tokens ({prompt_tokens} in the prompt, {asked} for the completion). "
            "Please reduce the length of the prompt or of max_tokens.",
            param="messages" if requested_max_tokens is None or room < 1 else "max_tokens",
        )
    return SamplingParams(
        max_tokens=max_tokens,
        temperature=1.0 if fields.temperature is None else fields.temperature,
        top_p=1.0 if fields.top_p is None else fields.top_p,
        seed=fields.seed,
        stop=fields.stop_strings,
        presence_penalty=fields.presence_penalty,
        frequency_penalty=fields.frequency_penalty,
    )


class TrackedGeneration:
    """One engine stream with its token counts, finish reason and metrics, holding its admitted place
    until it is closed."""

    def __init__(
        self,
        engine: Engine,
        metrics: ServiceMetrics,
        request: GenerationRequest,
        arrived: float,
        restorer: StreamRestorer,
        timing: StageTimes,
        place: Place | None = None,
    ) -> None:
        self._place = place
        self._metrics = metrics
        self._timing = timing
        self._restorer = restorer
        self._raw: list[str] = []
        self._shown: list[str] = []
        self.request = request
        self._arrived = arrived
        self._stream = engine.generate(request)
        self._first: GenerationDelta | None = None
        self._last_token_at: float | None = None
        self._ttft: float | None = None
        self.completion_tokens = 0
        self.finish_reason: FinishReason | None = None
        self._recorded = False

    @property
    def prompt_tokens(self) -> int:
        return len(self.request.prompt_token_ids)

    @property
    def ttft(self) -> float | None:
        return self._ttft

    @property
    def raw_text(self) -> str:
        """The output as the model wrote it (placeholders and all): what the audit trail may keep."""
        return "".join(self._raw)

    @property
    def restored_text(self) -> str:
        """The output as the caller got it."""
        return "".join(self._shown)

    async def start(self) -> None:
        """Wait for the first delta, so that early failures raise before any header is sent."""
        started = time.perf_counter()
        try:
            self._first = await anext(self._stream)
        except BaseException:
            await self.close()
            raise
        waited = time.perf_counter() - started
        queued = min(self._first.queued_seconds or 0.0, waited)
        self._timing.longest("queue", queued)
        self._timing.longest("first_token", waited - queued)
        self._observe(self._first)

    def _observe(self, delta: GenerationDelta) -> None:
        now = time.perf_counter()
        if self._ttft is None:
            self._ttft = now - self._arrived
        elif self._last_token_at is not None:
            self._metrics.token_gap(now - self._last_token_at)
        self._last_token_at = now
        self.completion_tokens += delta.new_tokens
        if delta.finish_reason is not None:
            self.finish_reason = delta.finish_reason
            self._record()

    def _record(self) -> None:
        if self._recorded:
            return
        self._recorded = True
        self._metrics.finished(
            self.finish_reason or "abort",
            self.prompt_tokens,
            self.completion_tokens,
            self._ttft,
            time.perf_counter() - self._arrived,
        )

    async def deltas(self) -> AsyncGenerator[GenerationDelta, None]:
        """Every delta, the first one included, with the caller's values restored in its text.
        Leaving early aborts the request in the engine."""
        try:
            if self._first is not None:
                first, self._first = self._first, None
                yield self._restored(first)
            if self.finish_reason is not None:
                return
            async for delta in self._stream:
                self._observe(delta)
                yield self._restored(delta)
                if delta.finish_reason is not None:
                    return
        finally:
            await self.close()

    def _restored(self, delta: GenerationDelta) -> GenerationDelta:
        with self._timing.measure("restore"):
            text = self._restorer.feed(delta.text)
            if delta.finish_reason is not None:
                text += self._restorer.flush()
        self._raw.append(delta.text)
        self._shown.append(text)
        return GenerationDelta(text, delta.new_tokens, delta.finish_reason)

    async def text(self) -> str:
        """All output text, for a non-streamed response."""
        return "".join([delta.text async for delta in self.deltas()])

    def settle(self) -> None:
        """Record the outcome and give the place back, once: the bookkeeping of `close`, which cannot be
        interrupted (it does not wait)."""
        self._record()
        if self._place is not None:
            self._place.release()

    async def close(self) -> None:
        """Settle, and abort in the engine if still running (a stream never started never reaches it)."""
        self.settle()
        await self._stream.aclose()


def usage_of(generations: Sequence[TrackedGeneration]) -> Usage:
    """Token usage summed over a request's generations."""
    prompt = sum(g.prompt_tokens for g in generations)
    completion = sum(g.completion_tokens for g in generations)
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


async def start_all(generations: Sequence[TrackedGeneration]) -> None:
    """Start every generation; if one fails, abort the others and raise its error."""
    results = await asyncio.gather(*(g.start() for g in generations), return_exceptions=True)
    failure = next((r for r in results if isinstance(r, BaseException)), None)
    if failure is not None:
        await close_all(generations)
        raise failure


async def close_all(generations: Sequence[TrackedGeneration]) -> None:
    """Close every generation (those already closed are left as they are). All are settled before the
    first wait, so that a cancelled close still leaves no place taken."""
    for generation in generations:
        generation.settle()
    await asyncio.gather(*(g.close() for g in generations), return_exceptions=True)


class _Ended:
    """Marks the end of one merged stream, with the error that ended it, if any."""

    def __init__(self, error: Exception | None) -> None:
        self.error = error


async def merged(streams: Sequence[AsyncIterator[T]]) -> AsyncGenerator[tuple[int, T], None]:
    """Items of several async iterators as they arrive, tagged with the index of their iterator."""
    queue: asyncio.Queue[tuple[int, T | _Ended]] = asyncio.Queue()

    async def pump(index: int, stream: AsyncIterator[T]) -> None:
        try:
            async for item in stream:
                await queue.put((index, item))
        except Exception as exc:
            await queue.put((index, _Ended(exc)))
        else:
            await queue.put((index, _Ended(None)))

    tasks = [asyncio.create_task(pump(i, s)) for i, s in enumerate(streams)]
    remaining = len(tasks)
    try:
        while remaining:
            index, item = await queue.get()
            if isinstance(item, _Ended):
                if item.error is not None:
                    raise item.error
                remaining -= 1
                continue
            yield index, item
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def sse(payload: str) -> str:
    """One Server-Sent Event."""
    return f"data: {payload}\n\n"


SSE_DONE = sse("[DONE]")


def sse_json(payload: dict[str, Any]) -> str:
    """One Server-Sent Event carrying a JSON object."""
    return sse(json.dumps(payload, separators=(",", ":"), ensure_ascii=False))


def sse_error(error: ServiceError) -> str:
    """An error inside a stream, as the OpenAI client expects it."""
    return sse_json(error.to_body())


class ClientDisconnected(Exception):
    """The client closed the connection before its response was ready."""


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """Await `work`, cancelling it (which aborts its generations) if the client disconnects first.

    Only for handlers that have read the whole body: the next ASGI message is then the disconnect.
    """
    task = asyncio.ensure_future(work)

    async def disconnected() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.create_task(disconnected())
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    if task.done():
        return task.result()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    raise ClientDisconnected


class EventStreamResponse(StreamingResponse):
    """A `text/event-stream` response that always closes its iterator and its generations, which aborts
    them in the engine, however the stream ends (finished, client gone before the first byte, server
    error)."""

    def __init__(
        self,
        content: AsyncGenerator[str, None],
        headers: Mapping[str, str],
        generations: Sequence[TrackedGeneration] = (),
    ) -> None:
        super().__init__(
            content,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **headers},
        )
        self._content = content
        self._generations = generations

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            try:
                await self._content.aclose()
            finally:
                # An iterator that never started has nothing to close them: its generations still hold places.
                await close_all(self._generations)
