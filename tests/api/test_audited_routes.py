"""Every POST under /v1 is audited: the test enumerates the app's routes from its OpenAPI description,
sends each a request and looks for its record in the real audit store. It is shown to fail on an app
with one generation route that does not take the Exchange."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI

import inference.api.app as app_module
from inference.api.app import audited_routes, create_app
from inference.api.context import ServingContext
from inference.api.deps import AuditedExchangeDep, ContextDep
from inference.api.errors import install_error_handlers
from inference.api.middleware import RequestContextMiddleware
from inference.audit.store import SqliteStore
from inference.engines.base import ChatTurn, EngineStats, GenerationDelta, GenerationRequest
from tests.conftest import ConfigRoot, start_context


class IdleEngine:
    """An engine nobody reaches: every request below is refused before generation."""

    serves_adapters = False

    async def start(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def stats(self) -> EngineStats:
        return EngineStats(running=0, waiting=0, healthy=True)

    async def encode_chat(self, turns: Sequence[ChatTurn]) -> list[int]:
        return [1]

    async def encode_text(self, text: str) -> list[int]:
        return [1]

    async def generate(self, request: GenerationRequest) -> AsyncGenerator[GenerationDelta, None]:
        yield GenerationDelta("", 1, "stop")


async def unaudited_posts(app: FastAPI, store: Path) -> list[str]:
    """The POST paths under /v1 of `app` whose request left no record in the audit store at `store`."""
    paths = [p for p, ops in app.openapi()["paths"].items() if "post" in ops and p.startswith("/v1/")]
    assert paths, "the app has no POST route under /v1"
    sent: dict[str, str] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://regional-llm.test") as client:
        for path in paths:
            # A body no endpoint accepts: every route refuses it, and the refusal must be on record, under
            # the id its response names.
            response = await client.post(path, json={}, headers={"X-Data-Origin": "DE"})
            sent[path] = response.headers["x-request-id"]
    reader = SqliteStore(store)
    try:
        recorded = [r.request_id for r in reader.records()]
    finally:
        reader.close()
    return [path for path, request_id in sent.items() if recorded.count(request_id) != 1]


async def _context(config: ConfigRoot, data_dir: Path) -> ServingContext:
    return await start_context(config, IdleEngine(), data_dir)


async def _unaudited_posts_of_the_app(config: ConfigRoot, data_dir: Path) -> list[str]:
    """`unaudited_posts` of the app `create_app` builds, its trail in `data_dir`."""
    context = await _context(config, data_dir)
    try:
        return await unaudited_posts(create_app(context), data_dir / "audit.sqlite3")
    finally:
        await asyncio.to_thread(context.auditor.writer.close)


def test_every_post_under_v1_is_audited(config_root: ConfigRoot, tmp_path: Path) -> None:
    assert asyncio.run(_unaudited_posts_of_the_app(config_root, tmp_path)) == []


def test_the_check_finds_a_generation_route_without_the_exchange(
    config_root: ConfigRoot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    careless = APIRouter()

    @careless.post("/v1/embeddings")
    async def embeddings(context: ContextDep) -> dict[str, str]:
        return {"object": "list"}

    monkeypatch.setattr(app_module, "ROUTERS", (*app_module.ROUTERS, careless))

    assert asyncio.run(_unaudited_posts_of_the_app(config_root, tmp_path)) == ["/v1/embeddings"]


def test_a_route_taking_the_exchange_is_refused_where_the_middleware_does_not_audit_it(
    config_root: ConfigRoot, tmp_path: Path
) -> None:
    router = APIRouter()

    @router.post("/v1/audited")
    async def audited(exchange: AuditedExchangeDep) -> dict[str, str]:
        return {"served": exchange.request_id}

    assert audited_routes(router.routes) == {("POST", "/v1/audited")}

    async def go() -> httpx.Response:
        context = await _context(config_root, tmp_path)
        app = FastAPI()
        app.state.serving = context
        app.include_router(router)
        install_error_handlers(app)
        app.add_middleware(
            RequestContextMiddleware,
            region=context.region.id,
            build_reference=context.build.reference,
            known_paths=frozenset({"/v1/audited"}),
            audited=frozenset(),  # the middleware was told nothing is audited
            auditor=context.auditor,
            metrics=context.metrics,
            authenticator=context.authenticator,
        )
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://regional-llm.test"
            ) as client:
                return await client.post("/v1/audited", json={})
        finally:
            await asyncio.to_thread(context.auditor.writer.close)

    response = asyncio.run(go())
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
