"""The outermost layer of every request: its id, the region and build headers, the audit record of
generation requests, and a last-resort error handler that fails closed without a traceback."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inference.api.auth import Authenticator
from inference.api.timing import StageTimes
from inference.audit.trail import AuditDraft, Auditor, AuditStoreUnavailable
from inference.errors import EngineFailure, RateLimited, ServiceError, Unauthenticated
from inference.logs import exception_summary
from inference.metrics import ServiceMetrics
from inference.policy.identity import Caller

Headers = list[tuple[bytes, bytes]]

log = logging.getLogger(__name__)
access_log = logging.getLogger("inference.access")

REQUEST_ID_HEADER = "X-Request-Id"
AUDITED_PATHS = frozenset({"/v1/chat/completions", "/v1/completions"})
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            decoded: str = value.decode("latin-1")
            return decoded
    return None


def request_id_from(scope: Scope) -> str:
    """The caller's X-Request-Id if it is a plain token, else a fresh one."""
    candidate = _header(scope, b"x-request-id")
    return candidate if candidate and _VALID_REQUEST_ID.fullmatch(candidate) else uuid.uuid4().hex


def _error_messages(error: ServiceError, headers: list[tuple[bytes, bytes]]) -> tuple[Message, Message]:
    body = json.dumps(error.to_body()).encode()
    start: Message = {
        "type": "http.response.start",
        "status": error.status_code,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *(
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in error.headers.items()
            ),
            *headers,
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class RequestContextMiddleware:
    """Give each request an id and arrival time; identify its caller (401 or 429 before anything else
    runs); stamp X-Request-Id, X-Served-Region and X-Model-Build on every response, errors included;
    commit each generation request's audit record before the last bytes of its response, and refuse new
    ones (503) while the audit store cannot take records."""

    def __init__(
        self,
        app: ASGIApp,
        region: str,
        build_reference: str,
        known_paths: frozenset[str],
        auditor: Auditor,
        metrics: ServiceMetrics,
        authenticator: Authenticator,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.known_paths = known_paths
        self.auditor = auditor
        self.authenticator = authenticator
        self.region = region.encode()
        self.build_reference = build_reference.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["arrived"] = time.perf_counter()
        state["timing"] = StageTimes()
        refusal: ServiceError | None = None
        try:
            caller = self.authenticator.identify(scope)
        except (Unauthenticated, RateLimited) as exc:
            refusal = exc
            caller = Caller(exc.identity, origins=frozenset(), builds=frozenset())
        except Exception as exc:
            # Fail closed, and without a traceback: nobody is served whose identity is in doubt.
            log.error("request %s: identifying the caller failed: %s", request_id, exception_summary(exc))
            refusal = EngineFailure(
                f"The server failed to process request {request_id}.", code="internal_error"
            )
            caller = Caller("anonymous", origins=frozenset(), builds=frozenset())
        state["caller"] = caller

        def extra() -> Headers:
            # Read when the response starts: by then the route has said which build answers.
            build = state.get("build_reference")
            return [
                (b"x-request-id", request_id.encode()),
                (b"x-served-region", self.region),
                (b"x-model-build", build.encode() if isinstance(build, str) else self.build_reference),
            ]

        status = 0
        try:
            if scope["path"] in AUDITED_PATHS and scope["method"] == "POST":
                status = await self._audited(scope, receive, send, extra, refusal)
            elif refusal is not None:
                status = await self._refuse(send, refusal, extra)
            else:
                status = await self._plain(scope, receive, send, extra)
        finally:
            # An access log without query strings or unknown paths: a client may put anything there.
            path = scope["path"] if scope["path"] in self.known_paths else "(other path)"
            elapsed = time.perf_counter() - state["arrived"]
            access_log.info("%s %s %s %d %.3fs", request_id, scope["method"], path, status, elapsed)

    async def _refuse(self, send: Send, error: ServiceError, extra: Callable[[], Headers]) -> int:
        start, body = _error_messages(error, extra())
        await send(start)
        await send(body)
        return error.status_code

    async def _plain(self, scope: Scope, receive: Receive, send: Send, extra: Callable[[], Headers]) -> int:
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra()]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            status = await self._failed(scope, send, extra, exc, started=status != 0)
        return status

    async def _failed(
        self, scope: Scope, send: Send, extra: Callable[[], Headers], exc: Exception, started: bool
    ) -> int:
        request_id = scope["state"]["request_id"]
        log.error("request %s failed: %s", request_id, exception_summary(exc))
        if started:
            return 500  # headers are out; the client sees a truncated response
        error = EngineFailure(f"The server failed to process request {request_id}.", code="internal_error")
        return await self._refuse(send, error, extra)

    async def _audited(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        extra: Callable[[], Headers],
        refusal: ServiceError | None,
    ) -> int:
        state = scope["state"]
        if not self.auditor.healthy:
            unavailable = AuditStoreUnavailable("The audit trail cannot be written now; retry later.")
            return await self._refuse(send, unavailable, extra)
        draft: AuditDraft = self.auditor.draft(
            state["request_id"], scope["path"], state["caller"].identity, state["arrived"]
        )
        state["audit"] = draft
        if refusal is not None:
            # Refused before anything of the request was read; the refusal is on record like any other.
            self.metrics.refused(refusal.code)
            draft.reason = refusal.code
            try:
                await self.auditor.commit(draft, refusal.status_code)
            except AuditStoreUnavailable as exc:
                log.error("request %s: %s", state["request_id"], exc.message)
                refusal = exc
            return await self._refuse(send, refusal, extra)
        timing: StageTimes = state["timing"]
        status = 0
        held: list[Message] = []  # a non-streamed answer waits here until its record is committed
        streaming = False

        async def send_audited(message: Message) -> None:
            nonlocal status, streaming
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra()]
                streaming = any(
                    k == b"content-type" and v.startswith(b"text/event-stream") for k, v in message["headers"]
                )
                if streaming:
                    # The stages up to the first token; the stream's last comment carries them all.
                    message["headers"].append((b"server-timing", timing.header().encode()))
                    await send(message)
                else:
                    held.append(message)
                return
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                try:
                    if not draft.committed:
                        with timing.measure("audit"):
                            await self.auditor.commit(draft, status)
                except AuditStoreUnavailable as exc:
                    log.error("request %s: %s", state["request_id"], exc.message)
                    if held:  # the answer was not sent: withhold it, as unaudited
                        held.clear()
                        status = exc.status_code
                        start, body = _error_messages(exc, extra())
                        await send(start)
                        await send(body)
                        return
            if held and streaming is False and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    held.append(message)
                    return
                total = time.perf_counter() - state["arrived"]
                held[0]["headers"].append((b"server-timing", timing.header(total).encode()))
                for pending in held:
                    await send(pending)
                held.clear()
            await send(message)

        try:
            await self.app(scope, receive, send_audited)
        except Exception as exc:
            status = await self._failed(scope, send_audited, extra=list, exc=exc, started=status != 0)
        finally:
            if not draft.committed:
                # Ended without a last body: the client went away, or the stream broke off.
                try:
                    await self.auditor.commit(draft, status or 499, aborted=True)
                except AuditStoreUnavailable as exc:
                    log.error("request %s: %s", state["request_id"], exc.message)
            self.metrics.stages(timing.seconds)
        return status
