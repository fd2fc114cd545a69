"""Every error leaves the server here, once, in the OpenAI shape."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from inference.api.generation import ClientDisconnected
from inference.errors import (
    InvalidRequest,
    MethodNotAllowed,
    RouteNotFound,
    ServiceError,
)

GENERATION_PATHS = ("/v1/chat/completions", "/v1/completions")


def error_response(error: ServiceError) -> JSONResponse:
    """Render a service error as an OpenAI error body with its status."""
    return JSONResponse(error.to_body(), status_code=error.status_code, headers=dict(error.headers) or None)


def _count_refusal(request: Request, error: ServiceError) -> None:
    context = getattr(request.app.state, "serving", None)
    if context is not None and request.url.path in GENERATION_PATHS:
        context.metrics.refused(error.code)
    draft = getattr(request.state, "audit", None)
    if draft is not None:
        draft.reason = error.code


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    _count_refusal(request, exc)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    # The path is not echoed: a client may put anything in it.
    if exc.status_code == 404:
        return error_response(RouteNotFound("There is no such endpoint; GET /openapi.json lists them."))
    if exc.status_code == 405:
        return error_response(MethodNotAllowed(f"This endpoint does not accept {request.method}."))
    error = ServiceError(str(exc.detail), code="http_error")
    error.status_code = exc.status_code
    error.error_type = "invalid_request_error" if exc.status_code < 500 else "server_error"
    return error_response(error)


async def _client_disconnected(request: Request, exc: Exception) -> Response:
    # Nobody is listening; 499 ("client closed request", as nginx logs it) only marks the outcome.
    return Response(status_code=499)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(InvalidRequest("The request's parameters are invalid."))


def install_error_handlers(app: FastAPI) -> None:
    """Map service and HTTP errors to OpenAI-shaped responses; `RequestContextMiddleware` catches the rest."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ClientDisconnected, _client_disconnected)
