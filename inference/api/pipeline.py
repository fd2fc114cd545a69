"""The generation use-case, written once for every generation endpoint.

resolve the model -> screen the texts -> encode -> plan sampling -> admit (a place per generation, or
503) -> start the generations, unless the client has gone; then either
stream (Server-Sent Events; the audit record is committed before `[DONE]`) or collect (the record is
committed, then the body is sent). An endpoint is a thin `GenerationEndpoint`: how its body becomes texts
and prompts, and how deltas become its chunks and its response.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections.abc import AsyncGenerator, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from inference.api.admission import Place, ServerOverloaded
from inference.api.body import BODY_ERRORS, read_json
from inference.api.context import ServedModel, ServingContext
from inference.api.exchange import Exchange
from inference.api.generation import (
    SSE_DONE,
    ClientDisconnected,
    EventStreamResponse,
    TrackedGeneration,
    close_all,
    plan_sampling,
    sse_error,
    sse_json,
    start_all,
    unless_disconnected,
    usage_of,
)
from inference.api.schemas import SamplingFields
from inference.engines.base import Engine, GenerationRequest, SamplingParams
from inference.errors import (
    AuditUnavailable,
    ContextLengthExceeded,
    EngineFailure,
    EngineUnavailable,
    InternalError,
    ModelNotFound,
    RateLimited,
    ServiceError,
    Unauthenticated,
)
from inference.policy.identity import OriginNotGranted
from inference.policy.origin import DataOriginInvalid, DataOriginMismatch, DataOriginMissing
from inference.privacy.restore import StreamRestorer
from inference.privacy.screen import OriginContradicted, PiiBlocked, PrivacyCheckFailed, Screening

log = logging.getLogger(__name__)

BodyT = TypeVar("BodyT", bound=SamplingFields)

# About a millisecond of screening; beyond that the event loop should not wait on it.
_INLINE_SCREEN_CHARS = 8192

EDGE_ERRORS: tuple[type[ServiceError], ...] = (Unauthenticated, RateLimited, AuditUnavailable, InternalError)
"""What the middleware can refuse an audited request with, before its route runs."""
ORIGIN_ERRORS: tuple[type[ServiceError], ...] = (
    DataOriginMissing,
    DataOriginInvalid,
    DataOriginMismatch,
    OriginNotGranted,
)
"""What the origin check can refuse a request with, before its body is read."""
GENERATION_ERRORS: tuple[type[ServiceError], ...] = (
    *EDGE_ERRORS,
    *ORIGIN_ERRORS,
    *BODY_ERRORS,
    ModelNotFound,
    OriginContradicted,
    PiiBlocked,
    PrivacyCheckFailed,
    ContextLengthExceeded,
    EngineFailure,
    EngineUnavailable,
    ServerOverloaded,
)
"""Every error a generation request can end in (its OpenAPI responses are generated from these)."""


class GenerationEndpoint(Generic[BodyT]):
    """What makes one generation endpoint: its body, how the body becomes prompts, and how the
    generations become its chunks and its response."""

    body: type[BodyT]
    id_prefix: ClassVar[str]
    """The response id's prefix: `chatcmpl`, `cmpl`."""
    errors: ClassVar[tuple[type[ServiceError], ...]] = GENERATION_ERRORS

    def texts(self, body: BodyT) -> tuple[list[str], list[str] | None]:
        """The caller's texts to screen, and their roles (for the audit record) if the endpoint has any."""
        raise NotImplementedError

    async def encode(self, engine: Engine, body: BodyT, screened: list[str]) -> list[list[int]]:
        """The prompts' token ids (one generation each), from the screened texts."""
        raise NotImplementedError

    def max_tokens(self, body: BodyT) -> int | None:
        """The completion length asked for; None: the build's default."""
        raise NotImplementedError

    def base(self, body: BodyT) -> dict[str, Any]:
        """Fields every chunk and the response share besides id, created, model and fingerprint."""
        return {}

    def chunks(
        self, body: BodyT, generations: Sequence[TrackedGeneration], raw: list[str]
    ) -> AsyncGenerator[list[dict[str, Any]], None]:
        """The choices of each streamed chunk. `raw`: the caller's own texts (for `echo`)."""
        raise NotImplementedError

    def response(
        self,
        body: BodyT,
        base: dict[str, Any],
        generations: Sequence[TrackedGeneration],
        texts: list[str],
        raw: list[str],
    ) -> BaseModel:
        """The non-streamed response, from the restored output `texts` of each generation."""
        raise NotImplementedError


class GenerationPipeline:
    """One generation request's way through the service, after its origin has been cleared."""

    def __init__(self, request: Request, context: ServingContext, exchange: Exchange) -> None:
        self._request = request
        self._context = context
        self._exchange = exchange

    async def run(self, endpoint: GenerationEndpoint[BodyT]) -> Response:
        """Serve the request as `endpoint` describes it."""
        context, exchange = self._context, self._exchange
        # A saturated replica refuses before the body is read: shedding load must cost little.
        context.admission.refuse_if_saturated()
        # The origin dependency has already cleared X-Data-Origin: only now is the body read.
        try:
            body = await read_json(
                self._request, endpoint.body, context.region.limits.max_request_bytes, context.privacy
            )
        except ClientDisconnect:
            # Gone before its body was read: an aborted request, not a server failure.
            raise ClientDisconnected from None
        served = context.resolve_model(body.model, exchange.caller)
        exchange.record_build(served)
        raw, roles = endpoint.texts(body)
        screening = await self._screen(raw, body.pii_context, roles)
        with exchange.timing.measure("tokenize"):
            prompts = await endpoint.encode(context.engine, body, [t.text for t in screening.texts])
        max_tokens = endpoint.max_tokens(body)
        samplings = [plan_sampling(served.build, len(prompt), max_tokens, body) for prompt in prompts]
        generations = await self._start(served, prompts, samplings, screening)
        base: dict[str, Any] = {
            "id": f"{endpoint.id_prefix}-{uuid.uuid4().hex}",
            **endpoint.base(body),
            "created": int(time.time()),
            "model": served.id,
            "system_fingerprint": served.reference,
        }
        if body.stream:
            events = self._events(
                endpoint.chunks(body, generations, raw), base, generations, body.include_usage
            )
            # The stages up to the first token; the stream's last comment carries them all.
            return EventStreamResponse(events, {"Server-Timing": exchange.timing.header()}, generations)
        try:
            texts = await unless_disconnected(self._request, asyncio.gather(*(g.text() for g in generations)))
        finally:
            await close_all(generations)
        answer = endpoint.response(body, base, generations, list(texts), raw)
        # Committed before a byte of the answer leaves: an answer that cannot be audited is withheld.
        await exchange.commit(200)
        return JSONResponse(
            answer.model_dump(mode="json"),
            headers={"Server-Timing": exchange.timing.header(exchange.elapsed())},
        )

    async def _screen(
        self, texts: list[str], known: dict[str, list[str]] | None, roles: list[str] | None
    ) -> Screening:
        """The privacy stage (large requests off the event loop); what it found goes to the record, also when
        the request is refused for it."""
        privacy, region = self._context.privacy, self._context.region
        # Detected values are judged against the region's accepted origins, not the caller's grant.
        screen = functools.partial(
            privacy.screen, texts, known, region_id=region.id, accepted=region.accepted
        )
        try:
            screening = (
                screen()
                if sum(len(t) for t in texts) <= _INLINE_SCREEN_CHARS
                else await asyncio.to_thread(screen)
            )
        except OriginContradicted as exc:
            self._exchange.record_contradictions(exc.contradictions)
            raise
        except PiiBlocked as exc:
            self._exchange.record_blocked(exc.counts)
            if exc.contradictions:
                self._exchange.record_contradictions(exc.contradictions)
            raise
        self._exchange.timing.add("pii_detect", screening.detect_seconds)
        self._exchange.timing.add("pii_anonymize", screening.anonymize_seconds)
        self._exchange.record_screening(screening, texts, roles)
        return screening

    async def _start(
        self,
        served: ServedModel,
        prompts: list[list[int]],
        samplings: list[SamplingParams],
        screening: Screening,
    ) -> list[TrackedGeneration]:
        """The request's generations, started up to their first token. Not if its client has gone (a
        request nobody waits for never reaches the engine), and only with a place for each (else 503
        `server_overloaded`); a client that leaves while they wait takes them out of the queue."""
        if await self._request.is_disconnected():
            raise ClientDisconnected
        places = self._context.admission.admit(len(prompts))
        generations = self._generations(served, prompts, samplings, screening, places)
        try:
            await unless_disconnected(self._request, start_all(generations))
        except BaseException:
            await close_all(generations)
            raise
        return generations

    def _generations(
        self,
        served: ServedModel,
        prompts: list[list[int]],
        samplings: list[SamplingParams],
        screening: Screening,
        places: list[Place],
    ) -> list[TrackedGeneration]:
        exchange = self._exchange
        generations = []
        for index, (prompt, sampling, place) in enumerate(zip(prompts, samplings, places, strict=True)):
            sequence_id = exchange.request_id if len(prompts) == 1 else f"{exchange.request_id}-{index}"
            generation = TrackedGeneration(
                self._context.engine,
                self._context.metrics,
                GenerationRequest(sequence_id, tuple(prompt), sampling, served.adapter_id),
                exchange.arrived,
                # One vault for the request: the same value has the same placeholder in every prompt.
                StreamRestorer(screening.vault),
                exchange.timing,
                place,
            )
            exchange.record_generation(generation)
            generations.append(generation)
        return generations

    async def _events(
        self,
        choices: AsyncGenerator[list[dict[str, Any]], None],
        base: dict[str, Any],
        generations: Sequence[TrackedGeneration],
        include_usage: bool,
    ) -> AsyncGenerator[str, None]:
        """The SSE body: one chunk per list of choices, the usage chunk if asked for, then (once the audit
        record is committed) an SSE comment with every stage's time and `[DONE]`. An error after the first
        chunk is an error event, and the request's outcome; however the stream ends, every generation is
        closed (aborted in the engine if still running)."""
        exchange = self._exchange
        header = {**base, "usage": None} if include_usage else base
        try:
            async for listed in choices:
                yield sse_json({**header, "choices": listed})
            if include_usage:
                yield sse_json({**base, "choices": [], "usage": usage_of(generations).model_dump()})
            await exchange.commit(200)
            # A comment line: SSE clients (the openai one included) skip it; benchmarks read it.
            yield f": server-timing {exchange.timing.header(exchange.elapsed())}\n\n"
        except ServiceError as exc:
            exchange.record_refusal(exc)
            try:
                await exchange.commit(exc.status_code)
            except AuditUnavailable as unrecorded:
                log.error("request %s: %s", exchange.request_id, unrecorded.message)
            yield sse_error(exc)
        finally:
            await choices.aclose()
            await close_all(generations)
        yield SSE_DONE
