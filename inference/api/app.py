"""The app factory."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from inference import __version__
from inference.api.context import ServingContext
from inference.api.deps import audited_exchange
from inference.api.errors import install_error_handlers
from inference.api.middleware import RequestContextMiddleware, Route
from inference.api.openapi import request_schemas
from inference.api.routes import chat, completions, health, models

ROUTERS = (chat.router, completions.router, models.router, health.router)


def _takes_audited_exchange(dependant: Dependant) -> bool:
    return any(d.call is audited_exchange or _takes_audited_exchange(d) for d in dependant.dependencies)


def audited_routes(routes: Iterable[BaseRoute]) -> frozenset[Route]:
    """(method, path) of every route whose handler takes the audited Exchange, directly or through its
    dependencies: the routes whose every request ends in one audit record."""
    return frozenset(
        (method, route.path)
        for route in routes
        if isinstance(route, APIRoute) and _takes_audited_exchange(route.dependant)
        for method in route.methods or ()
    )


def create_app(context: ServingContext) -> FastAPI:
    """An ASGI app serving `context` (whose engine the caller has started and will shut down)."""
    app = FastAPI(
        # A redirect's Location would be built from the caller's Host header: a trailing slash is a 404.
        redirect_slashes=False,
        title="regional-llm",
        version=__version__,
        description=(
            f"OpenAI-compatible inference for region {context.region.id} ({context.region.jurisdiction}), "
            f"serving build {context.build.id}. Generation endpoints require X-Data-Origin."
        ),
    )
    app.state.serving = context
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schema.setdefault("components", {}).setdefault("schemas", {}).update(
                request_schemas(context.privacy.policy.known_types)
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    documented = {url for url in (app.openapi_url, app.docs_url, app.redoc_url) if url is not None}
    app.add_middleware(
        RequestContextMiddleware,
        region=context.region.id,
        build_reference=context.build.reference,
        known_paths=frozenset(app.openapi()["paths"]) | documented,
        audited=audited_routes(route for router in ROUTERS for route in router.routes),
        auditor=context.auditor,
        metrics=context.metrics,
        authenticator=context.authenticator,
    )
    return app
