"""POST /v1/chat/completions."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncGenerator
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
    plan_sampling,
    timing_since,
    unless_disconnected,
    usage_of,
)
from inference.api.routes.openapi import GENERATION_ERRORS, generation_openapi
from inference.api.schemas import ChatChoice, ChatCompletionRequest, ChatCompletionResponse, ResponseMessage
from inference.engines.base import GenerationRequest
from inference.privacy.restore import StreamRestorer

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
    served = resolve_model(request, context, body.model)
    draft = audit_draft(request)
    timing = stage_times(request)
    screening = await context.screen([m.text for m in body.messages], body.pii_context, draft, timing)
    if draft is not None:
        draft.screened(screening, [m.text for m in body.messages], [m.role for m in body.messages])
    turns = [m.to_turn(s.text) for m, s in zip(body.messages, screening.texts, strict=True)]
    with timing.measure("tokenize"):
        prompt = await context.engine.encode_chat(turns)
    sampling = plan_sampling(served.build, len(prompt), body.requested_max_tokens, body)
    generation = TrackedGeneration(
        context,
        GenerationRequest(request_id, tuple(prompt), sampling, served.adapter_id),
        request.state.arrived,
        StreamRestorer(screening.vault),
        draft,
        timing,
    )
    await generation.start()
    base: dict[str, Any] = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "created": int(time.time()),
        "model": served.id,
        "system_fingerprint": served.reference,
    }
    if body.stream:
        chunks = {**base, "object": "chat.completion.chunk"}
        finish = audit_commit(context, draft, timing)
        return EventStreamResponse(
            event_stream(
                _choices(generation),
                chunks,
                [generation],
                body.include_usage,
                finish,
                timing_since(timing, request.state.arrived),
            )
        )
    text = await unless_disconnected(request, generation.text())
    response = ChatCompletionResponse(
        **base,
        choices=[
            ChatChoice(index=0, message=ResponseMessage(content=text), finish_reason=generation.finish_reason)
        ],
        usage=usage_of([generation]),
    )
    return JSONResponse(response.model_dump(mode="json"))


async def _choices(generation: TrackedGeneration) -> AsyncGenerator[list[dict[str, Any]], None]:
    """Chunk choices as OpenAI sends them: the role first, then content, then the finish reason."""

    def choice(delta: dict[str, str], finish_reason: str | None = None) -> list[dict[str, Any]]:
        return [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]

    yield choice({"role": "assistant", "content": ""})
    async for delta in generation.deltas():
        if delta.text:
            yield choice({"content": delta.text})
        if delta.finish_reason is not None:
            yield choice({}, delta.finish_reason)
