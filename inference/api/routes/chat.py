"""POST /v1/chat/completions."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncGenerator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from inference.api.deps import ContextDep, OriginDep, RequestIdDep, read_json
from inference.api.generation import (
    SSE_DONE,
    EventStreamResponse,
    TrackedGeneration,
    plan_sampling,
    sse_error,
    sse_json,
    usage_of,
)
from inference.api.routes.openapi import GENERATION_ERRORS, generation_openapi
from inference.api.schemas import (
    ChatChoice,
    ChatCompletionRequest,
    ChatCompletionResponse,
    ResponseMessage,
)
from inference.engines.base import GenerationRequest
from inference.errors import ServiceError

router = APIRouter()


@router.post(
    "/v1/chat/completions",
    response_model=ChatCompletionResponse,
    responses=GENERATION_ERRORS,
    openapi_extra=generation_openapi(ChatCompletionRequest),
)
async def create_chat_completion(
    request: Request, context: ContextDep, origin: OriginDep, request_id: RequestIdDep
) -> Response:
    """Chat completion, streamed (`stream: true`, Server-Sent Events) or not."""
    # The origin dependency has already cleared X-Data-Origin: only now is the body read.
    body = await read_json(request, ChatCompletionRequest, context.region.limits.max_request_bytes)
    build = context.resolve_model(body.model)
    prompt = await context.engine.encode_chat([m.to_turn() for m in body.messages])
    sampling = plan_sampling(
        build,
        len(prompt),
        body.requested_max_tokens,
        temperature=body.temperature,
        top_p=body.top_p,
        seed=body.seed,
        stop=body.stop_strings,
        presence_penalty=body.presence_penalty,
        frequency_penalty=body.frequency_penalty,
    )
    generation = TrackedGeneration(
        context, GenerationRequest(request_id, tuple(prompt), sampling), request.state.arrived
    )
    await generation.start()
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    fingerprint = build.reference
    if body.stream:
        return EventStreamResponse(
            _stream(generation, completion_id, created, build.id, fingerprint, body.include_usage)
        )
    text = await generation.text()
    response = ChatCompletionResponse(
        id=completion_id,
        created=created,
        model=build.id,
        system_fingerprint=fingerprint,
        choices=[
            ChatChoice(index=0, message=ResponseMessage(content=text), finish_reason=generation.finish_reason)
        ],
        usage=usage_of([generation]),
    )
    return JSONResponse(response.model_dump(mode="json"))


async def _stream(
    generation: TrackedGeneration,
    completion_id: str,
    created: int,
    model: str,
    fingerprint: str,
    include_usage: bool,
) -> AsyncGenerator[str, None]:
    base: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "system_fingerprint": fingerprint,
    }
    if include_usage:
        base["usage"] = None

    def chunk(delta: dict[str, str], finish_reason: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return sse_json({**base, "choices": [choice]})

    deltas = generation.deltas()
    try:
        yield chunk({"role": "assistant", "content": ""})
        async for delta in deltas:
            if delta.text:
                yield chunk({"content": delta.text})
            if delta.finish_reason is not None:
                yield chunk({}, delta.finish_reason)
        if include_usage:
            yield sse_json({**base, "choices": [], "usage": usage_of([generation]).model_dump()})
    except ServiceError as exc:
        yield sse_error(exc)
    finally:
        await deltas.aclose()
    yield SSE_DONE
