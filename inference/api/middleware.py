"""The outermost layer of every request: its id, the region and build headers, and a last-resort
error handler that fails closed without a traceback reaching the client or the log."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inference.errors import EngineFailure
from inference.logs import exception_summary

log = logging.getLogger(__name__)
access_log = logging.getLogger("inference.access")

REQUEST_ID_HEADER = "X-Request-Id"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_from(scope: Scope) -> str:
    """The caller's X-Request-Id if it is a plain token, else a fresh one."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _VALID_REQUEST_ID.fullmatch(candidate):
                return candidate
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Give each request an id and arrival time; stamp X-Request-Id, X-Served-Region and X-Model-Build
    on every response, errors included."""

    def __init__(self, app: ASGIApp, region: str, build_reference: str, known_paths: frozenset[str]) -> None:
        self.app = app
        self.known_paths = known_paths
        self.static_headers = [
            (b"x-served-region", region.encode()),
            (b"x-model-build", build_reference.encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["arrived"] = time.perf_counter()
        extra = [(b"x-request-id", request_id.encode()), *self.static_headers]
        started = False
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            log.error("request %s failed: %s", request_id, exception_summary(exc))
            if started:
                return  # headers are out; the client sees a truncated response
            error = EngineFailure(
                f"The server failed to process request {request_id}.", code="internal_error"
            )
            body = json.dumps(error.to_body()).encode()
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": error.status_code,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": body})
        finally:
            # An access log without query strings or unknown paths: a client may put anything there.
            path = scope["path"] if scope["path"] in self.known_paths else "(other path)"
            elapsed = time.perf_counter() - state["arrived"]
            access_log.info("%s %s %s %d %.3fs", request_id, scope["method"], path, status, elapsed)
