"""Liveness, readiness and metrics: no X-Data-Origin needed, no request content involved."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from inference.api.deps import ContextDep

router = APIRouter()


@router.get("/health", responses={503: {"description": "The engine died: restart the server."}})
async def health(context: ContextDep) -> JSONResponse:
    """Liveness: the process answers and its engine has not died for good (a dead engine never comes
    back, so the orchestrator should restart the server)."""
    if context.engine.stats().dead:
        return JSONResponse({"status": "engine_dead"}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/ready", responses={503: {"description": "The engine cannot take requests."}})
async def ready(context: ContextDep) -> JSONResponse:
    """Readiness: the engine is loaded and the audit store takes records. Load balancers route only to
    ready replicas. A saturated replica stays ready and says so in the body: were saturation to fail
    readiness, a region whose every replica is busy would have no endpoints left at all."""
    stats = context.engine.stats()
    admission = context.admission
    ready = stats.healthy and context.auditor.healthy
    body = {
        "status": "ready" if ready else "unavailable",
        "region": context.region.id,
        "model": context.build.id,
        "engine": "ok" if stats.healthy else "unavailable",
        "audit": "ok" if context.auditor.healthy else "unavailable",
        "running": stats.running,
        "waiting": stats.waiting,
        "in_flight": admission.in_flight,
        "max_num_queued_reqs": admission.limit,
        "saturated": admission.saturated,
    }
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", response_class=Response)
async def metrics(context: ContextDep) -> Response:
    """Prometheus metrics in the text exposition format."""
    return Response(generate_latest(context.metrics.registry), media_type=CONTENT_TYPE_LATEST)
