"""GET /v1/models: the builds this server serves, under every name a client may use."""

from __future__ import annotations

from fastapi import APIRouter

from inference.api.deps import ContextDep
from inference.api.schemas import ModelCard, ModelList

router = APIRouter()


@router.get("/v1/models", response_model=ModelList)
async def list_models(context: ContextDep) -> ModelList:
    """The build served here: its id first, then its aliases. Needs no X-Data-Origin (no data is sent)."""
    build = context.build
    return ModelList(
        data=[
            ModelCard(
                id=name,
                created=context.started,
                owned_by=f"regional-llm/{context.region.id}",
                root=build.id,
                max_model_len=build.context_length,
                jurisdiction=build.jurisdiction,
                digest=f"sha256:{build.digest}",
            )
            for name in (build.id, *build.aliases)
        ]
    )
