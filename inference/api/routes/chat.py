"""POST /v1/chat/completions: messages in, one assistant message out."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from inference.api.deps import PipelineDep
from inference.api.generation import TrackedGeneration, usage_of
from inference.api.openapi import error_responses, generation_openapi
from inference.api.pipeline import GenerationEndpoint
from inference.api.schemas import ChatChoice, ChatCompletionRequest, ChatCompletionResponse, ResponseMessage
from inference.engines.base import Engine

router = APIRouter()


class ChatEndpoint(GenerationEndpoint[ChatCompletionRequest]):
    """The chat adapter: messages become one prompt through the build's chat template."""

    body = ChatCompletionRequest
    id_prefix = "chatcmpl"

    def texts(self, body: ChatCompletionRequest) -> tuple[list[str], list[str] | None]:
        return [m.text for m in body.messages], [m.role for m in body.messages]

    async def encode(
        self, engine: Engine, body: ChatCompletionRequest, screened: list[str]
    ) -> list[list[int]]:
        turns = [m.to_turn(text) for m, text in zip(body.messages, screened, strict=True)]
        return [await engine.encode_chat(turns)]

    def max_tokens(self, body: ChatCompletionRequest) -> int | None:
        return body.requested_max_tokens

    def base(self, body: ChatCompletionRequest) -> dict[str, Any]:
        return {"object": "chat.completion.chunk"} if body.stream else {}

    async def chunks(
        self, body: ChatCompletionRequest, generations: Sequence[TrackedGeneration], raw: list[str]
    ) -> AsyncGenerator[list[dict[str, Any]], None]:
        """Chunk choices as OpenAI sends them: the role first, then content, then the finish reason."""

        def choice(delta: dict[str, str], finish_reason: str | None = None) -> list[dict[str, Any]]:
            return [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]

        (generation,) = generations
        yield choice({"role": "assistant", "content": ""})
        async for delta in generation.deltas():
            if delta.text:
                yield choice({"content": delta.text})
            if delta.finish_reason is not None:
                yield choice({}, delta.finish_reason)

    def response(
        self,
        body: ChatCompletionRequest,
        base: dict[str, Any],
        generations: Sequence[TrackedGeneration],
        texts: list[str],
        raw: list[str],
    ) -> ChatCompletionResponse:
        (generation,), (text,) = generations, texts
        return ChatCompletionResponse(
            **base,
            choices=[
                ChatChoice(
                    index=0, message=ResponseMessage(content=text), finish_reason=generation.finish_reason
                )
            ],
            usage=usage_of(generations),
        )


CHAT = ChatEndpoint()


@router.post(
    "/v1/chat/completions",
    response_model=ChatCompletionResponse,
    responses=error_responses(CHAT.errors),
    openapi_extra=generation_openapi(ChatCompletionRequest),
)
async def create_chat_completion(pipeline: PipelineDep) -> Response:
    """Chat completion, streamed (`stream: true`, Server-Sent Events) or not."""
    return await pipeline.run(CHAT)
