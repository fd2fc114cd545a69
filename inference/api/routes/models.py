"""GET /v1/models: the builds this server serves, under every name a client may use."""

from __future__ import annotations

from fastapi import APIRouter

from inference.api.deps import CallerDep, ContextDep
from inference.api.schemas import ModelCard, ModelList

router = APIRouter()


@router.get("/v1/models", response_model=ModelList)
async def list_models(context: ContextDep, caller: CallerDep) -> ModelList:
    """The build served here, then its LoRA adapter builds: each by id, then by its aliases; only those
    the caller's grant includes. Needs no X-Data-Origin (no data is sent)."""
    return ModelList(
        data=[
            ModelCard(
                id=name,
                created=context.started,
                owned_by=f"regional-llm/{context.region.id}",
                root=served.id,
                parent=served.build.id if served.adapter is not None else None,
                max_model_len=served.build.context_length,
                jurisdiction=served.pinned.jurisdiction,
                digest=f"sha256:{served.pinned.digest}",
            )
            for served in context.served(caller)
            for name in (served.id, *served.pinned.aliases)
        ]
    )
