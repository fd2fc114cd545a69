"""Every error leaves the server here, once, in the OpenAI shape; an audited request's refusal is its
outcome, committed to the audit trail before the error is sent."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from inference.api.exchange import Exchange
from inference.api.generation import ClientDisconnected
from inference.errors import (
    AuditUnavailable,
    InternalError,
    InvalidRequest,
    MethodNotAllowed,
    RouteNotFound,
    ServiceError,
)

log = logging.getLogger(__name__)


def error_response(error: ServiceError, headers: dict[str, str] | None = None) -> JSONResponse:
    """Render a service error as an OpenAI error body with its status."""
    return JSONResponse(
        error.to_body(), status_code=error.status_code, headers={**error.headers, **(headers or {})} or None
    )


async def refusal_response(exchange: Exchange, error: ServiceError) -> JSONResponse:
    """The response of a request that ends in `error`. An audited request's refusal is committed first;
    if its record cannot be stored, the answer is the audit store's 503 instead."""
    if not exchange.audited:
        return error_response(error)
    exchange.record_refusal(error)
    try:
        await exchange.commit(error.status_code)
    except AuditUnavailable as unrecorded:
        log.error("request %s: %s", exchange.request_id, unrecorded.message)
        error = unrecorded
    return error_response(error, {"Server-Timing": exchange.timing.header(exchange.elapsed())})


async def _service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return await refusal_response(Exchange.of(request.scope), exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    # The path is not echoed: a client may put anything in it.
    error: ServiceError
    if exc.status_code == 404:
        error = RouteNotFound("There is no such endpoint; GET /openapi.json lists them.")
    elif exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "")
        error = MethodNotAllowed(
            "This endpoint does not accept this method; Allow names those it does.",
            allow=(method.strip() for method in allow.split(",") if method.strip()),
        )
    elif exc.status_code < 500:
        error = InvalidRequest("The request could not be processed.")
    else:
        error = InternalError("The server failed to process the request.")
    return await refusal_response(Exchange.of(request.scope), error)


async def _client_disconnected(request: Request, exc: Exception) -> Response:
    # Nobody is listening; 499 ("client closed request", as nginx logs it) only marks the outcome, and the
    # middleware records the request as aborted.
    return Response(status_code=499)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return await refusal_response(
        Exchange.of(request.scope), InvalidRequest("The request's parameters are invalid.")
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map service and HTTP errors to OpenAI-shaped responses; `RequestContextMiddleware` catches the rest."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ClientDisconnected, _client_disconnected)
    # The connection closed while the body was being read (the client left, or its body stalled).
    app.add_exception_handler(ClientDisconnect, _client_disconnected)
