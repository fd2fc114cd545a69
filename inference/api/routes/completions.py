"""POST /v1/completions (text completions; a list of prompts gives one choice per prompt)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from inference.api.deps import (
    ContextDep,
    OriginDep,
    RequestIdDep,
    audit_draft,
    read_json,
    resolve_model,
    stage_times,
)
from inference.api.generation import (
    EventStreamResponse,
    TrackedGeneration,
    audit_commit,
    event_stream,
    merged,
    plan_sampling,
    start_all,
    timing_since,
    unless_disconnected,
    usage_of,
)
from inference.api.routes.openapi import GENERATION_ERRORS, generation_openapi
from inference.api.schemas import CompletionChoice, CompletionRequest, CompletionResponse
from inference.engines.base import GenerationRequest
from inference.privacy.restore import StreamRestorer

router = APIRouter()


@router.post(
    "/v1/completions",
    response_model=CompletionResponse,
    responses=GENERATION_ERRORS,
    openapi_extra=generation_openapi(CompletionRequest),
)
async def create_completion(
    request: Request, context: ContextDep, origin: OriginDep, request_id: RequestIdDep
) -> Response:
    """Text completion, streamed (`stream: true`, Server-Sent Events) or not."""
    # The origin dependency has already cleared X-Data-Origin: only now is the body read.
    body = await read_json(request, CompletionRequest, context.region.limits.max_request_bytes)
    served = resolve_model(request, context, body.model)
    prompts = body.prompts
    # One vault for all prompts of the request: the same value gets the same placeholder in each.
    draft = audit_draft(request)
    timing = stage_times(request)
    screening = await context.screen(prompts, body.pii_context, draft, timing)
    if draft is not None:
        draft.screened(screening, prompts)
    with timing.measure("tokenize"):
        encoded = await asyncio.gather(*(context.engine.encode_text(s.text) for s in screening.texts))
    generations = []
    for index, prompt in enumerate(encoded):
        sampling = plan_sampling(served.build, len(prompt), body.max_tokens, body)
        sequence_id = request_id if len(prompts) == 1 else f"{request_id}-{index}"
        generation_request = GenerationRequest(sequence_id, tuple(prompt), sampling, served.adapter_id)
        restorer = StreamRestorer(screening.vault)
        generations.append(
            TrackedGeneration(context, generation_request, request.state.arrived, restorer, draft, timing)
        )
    await start_all(generations)
    base: dict[str, Any] = {
        "id": f"cmpl-{uuid.uuid4().hex}",
        "object": "text_completion",
        "created": int(time.time()),
        "model": served.id,
        "system_fingerprint": served.reference,
    }
    echoed = prompts if body.echo else [""] * len(prompts)
    if body.stream:
        choices = _choices(generations, echoed)
        finish = audit_commit(context, draft, timing)
        return EventStreamResponse(
            event_stream(
                choices,
                base,
                generations,
                body.include_usage,
                finish,
                timing_since(timing, request.state.arrived),
            )
        )
    texts = await unless_disconnected(request, asyncio.gather(*(g.text() for g in generations)))
    response = CompletionResponse(
        **base,
        choices=[
            CompletionChoice(index=i, text=echoed[i] + text, finish_reason=g.finish_reason)
            for i, (g, text) in enumerate(zip(generations, texts, strict=True))
        ],
        usage=usage_of(generations),
    )
    return JSONResponse(response.model_dump(mode="json"))


async def _choices(
    generations: Sequence[TrackedGeneration], echoed: list[str]
) -> AsyncGenerator[list[dict[str, Any]], None]:
    """Chunk choices: echoed prompts first, then every sequence's text as it comes, tagged by index."""

    def choice(index: int, text: str, finish_reason: str | None = None) -> list[dict[str, Any]]:
        return [{"index": index, "text": text, "logprobs": None, "finish_reason": finish_reason}]

    for index, prompt in enumerate(echoed):
        if prompt:
            yield choice(index, prompt)
    deltas = merged([g.deltas() for g in generations])
    try:
        async for index, delta in deltas:
            if delta.text or delta.finish_reason is not None:
                yield choice(index, delta.text, delta.finish_reason)
    finally:
        await deltas.aclose()
