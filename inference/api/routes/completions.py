"""POST /v1/completions: text completions; a list of prompts gives one choice per prompt."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from inference.api.deps import PipelineDep
from inference.api.generation import TrackedGeneration, merged, usage_of
from inference.api.openapi import error_responses, generation_openapi
from inference.api.pipeline import GenerationEndpoint
from inference.api.schemas import CompletionChoice, CompletionRequest, CompletionResponse
from inference.engines.base import Engine

router = APIRouter()


class CompletionEndpoint(GenerationEndpoint[CompletionRequest]):
    """The text completion adapter: each prompt is one generation and one choice."""

    body = CompletionRequest
    id_prefix = "cmpl"

    def texts(self, body: CompletionRequest) -> tuple[list[str], list[str] | None]:
        return body.prompts, None

    async def encode(self, engine: Engine, body: CompletionRequest, screened: list[str]) -> list[list[int]]:
        return list(await asyncio.gather(*(engine.encode_text(text) for text in screened)))

    def max_tokens(self, body: CompletionRequest) -> int | None:
        return body.max_tokens

    def base(self, body: CompletionRequest) -> dict[str, Any]:
        return {"object": "text_completion"}

    async def chunks(
        self, body: CompletionRequest, generations: Sequence[TrackedGeneration], raw: list[str]
    ) -> AsyncGenerator[list[dict[str, Any]], None]:
        """Chunk choices: echoed prompts first, then every sequence's text as it comes, tagged by index."""

        def choice(index: int, text: str, finish_reason: str | None = None) -> list[dict[str, Any]]:
            return [{"index": index, "text": text, "logprobs": None, "finish_reason": finish_reason}]

        if body.echo:
            for index, prompt in enumerate(raw):
                if prompt:
                    yield choice(index, prompt)
        deltas = merged([g.deltas() for g in generations])
        try:
            async for index, delta in deltas:
                if delta.text or delta.finish_reason is not None:
                    yield choice(index, delta.text, delta.finish_reason)
        finally:
            await deltas.aclose()

    def response(
        self,
        body: CompletionRequest,
        base: dict[str, Any],
        generations: Sequence[TrackedGeneration],
        texts: list[str],
        raw: list[str],
    ) -> CompletionResponse:
        echoed = raw if body.echo else [""] * len(raw)
        return CompletionResponse(
            **base,
            choices=[
                CompletionChoice(index=i, text=echoed[i] + text, finish_reason=g.finish_reason)
                for i, (g, text) in enumerate(zip(generations, texts, strict=True))
            ],
            usage=usage_of(generations),
        )


COMPLETIONS = CompletionEndpoint()


@router.post(
    "/v1/completions",
    response_model=CompletionResponse,
    responses=error_responses(COMPLETIONS.errors),
    openapi_extra=generation_openapi(CompletionRequest),
)
async def create_completion(pipeline: PipelineDep) -> Response:
    """Text completion, streamed (`stream: true`, Server-Sent Events) or not."""
    return await pipeline.run(COMPLETIONS)
