"""The app factory."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from inference import __version__
from inference.api.context import ServingContext
from inference.api.errors import install_error_handlers
from inference.api.middleware import RequestContextMiddleware
from inference.api.routes import chat, completions, health, models
from inference.api.routes.openapi import request_schemas


def create_app(context: ServingContext) -> FastAPI:
    """An ASGI app serving `context` (whose engine the caller has started and will shut down)."""
    app = FastAPI(
        title="regional-llm",
        version=__version__,
        description=(
            f"OpenAI-compatible inference for region {context.region.id} ({context.region.jurisdiction}), "
            f"serving build {context.build.id}. Generation endpoints require X-Data-Origin."
        ),
    )
    app.state.serving = context
    for router in (chat.router, completions.router, models.router, health.router):
        app.include_router(router)
    install_error_handlers(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schema.setdefault("components", {}).setdefault("schemas", {}).update(request_schemas())
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    documented = {url for url in (app.openapi_url, app.docs_url, app.redoc_url) if url is not None}
    app.add_middleware(
        RequestContextMiddleware,
        region=context.region.id,
        build_reference=context.build.reference,
        known_paths=frozenset(app.openapi()["paths"]) | documented,
        auditor=context.auditor,
        metrics=context.metrics,
        authenticator=context.authenticator,
    )
    return app
