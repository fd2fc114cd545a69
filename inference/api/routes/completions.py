"""POST /v1/completions (text completions; a list of prompts gives one choice per prompt)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from inference.api.deps import ContextDep, OriginDep, RequestIdDep, read_json
from inference.api.generation import (
    SSE_DONE,
    EventStreamResponse,
    TrackedGeneration,
    merged,
    plan_sampling,
    sse_error,
    sse_json,
    start_all,
    usage_of,
)
from inference.api.routes.openapi import GENERATION_ERRORS, generation_openapi
from inference.api.schemas import CompletionChoice, CompletionRequest, CompletionResponse
from inference.engines.base import GenerationRequest
from inference.errors import ServiceError

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
    build = context.resolve_model(body.model)
    prompts = body.prompts
    encoded = await asyncio.gather(*(context.engine.encode_text(p) for p in prompts))
    generations = []
    for index, prompt in enumerate(encoded):
        sampling = plan_sampling(
            build,
            len(prompt),
            body.max_tokens,
            temperature=body.temperature,
            top_p=body.top_p,
            seed=body.seed,
            stop=body.stop_strings,
            presence_penalty=body.presence_penalty,
            frequency_penalty=body.frequency_penalty,
        )
        sequence_id = request_id if len(prompts) == 1 else f"{request_id}-{index}"
        generations.append(
            TrackedGeneration(
                context, GenerationRequest(sequence_id, tuple(prompt), sampling), request.state.arrived
            )
        )
    await start_all(generations)
    completion_id = f"cmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    echoed = prompts if body.echo else [""] * len(prompts)
    if body.stream:
        return EventStreamResponse(
            _stream(
                generations, echoed, completion_id, created, build.id, build.reference, body.include_usage
            )
        )
    texts = await asyncio.gather(*(g.text() for g in generations))
    response = CompletionResponse(
        id=completion_id,
        created=created,
        model=build.id,
        system_fingerprint=build.reference,
        choices=[
            CompletionChoice(index=i, text=echoed[i] + text, finish_reason=g.finish_reason)
            for i, (g, text) in enumerate(zip(generations, texts, strict=True))
        ],
        usage=usage_of(generations),
    )
    return JSONResponse(response.model_dump(mode="json"))


async def _stream(
    generations: Sequence[TrackedGeneration],
    echoed: list[str],
    completion_id: str,
    created: int,
    model: str,
    fingerprint: str,
    include_usage: bool,
) -> AsyncGenerator[str, None]:
    base: dict[str, Any] = {
        "id": completion_id,
        "object": "text_completion",
        "created": created,
        "model": model,
        "system_fingerprint": fingerprint,
    }
    if include_usage:
        base["usage"] = None

    def chunk(index: int, text: str, finish_reason: str | None = None) -> str:
        choice = {"index": index, "text": text, "logprobs": None, "finish_reason": finish_reason}
        return sse_json({**base, "choices": [choice]})

    deltas = merged([g.deltas() for g in generations])
    try:
        for index, prompt in enumerate(echoed):
            if prompt:
                yield chunk(index, prompt)
        async for index, delta in deltas:
            if delta.text or delta.finish_reason is not None:
                yield chunk(index, delta.text, delta.finish_reason)
        if include_usage:
            yield sse_json({**base, "choices": [], "usage": usage_of(generations).model_dump()})
    except ServiceError as exc:
        yield sse_error(exc)
    finally:
        await deltas.aclose()
        for generation in generations:
            await generation.close()
    yield SSE_DONE
