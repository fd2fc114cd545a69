"""The outermost layer of every request: it opens the request's Exchange (id, arrival, caller), stamps
X-Request-Id, X-Served-Region and X-Model-Build on every response, errors included, refuses before any
route runs (401, 429, or 503 while the audit store cannot take records), settles the Exchange when the
response has ended, and is the last-resort error handler that fails closed without a traceback."""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inference.api.auth import Authenticator
from inference.api.errors import refusal_response
from inference.api.exchange import Exchange
from inference.audit.trail import Auditor
from inference.errors import AuditUnavailable, InternalError, RateLimited, ServiceError, Unauthenticated
from inference.logs import exception_summary
from inference.metrics import ServiceMetrics
from inference.policy.identity import Caller

log = logging.getLogger(__name__)
access_log = logging.getLogger("inference.access")

Route = tuple[str, str]
"""(method, path) of a route."""


class RequestContextMiddleware:
    """Opens and settles every request's Exchange; the Exchanges of `audited` routes carry the auditor."""

    def __init__(
        self,
        app: ASGIApp,
        region: str,
        build_reference: str,
        known_paths: frozenset[str],
        audited: frozenset[Route],
        auditor: Auditor,
        metrics: ServiceMetrics,
        authenticator: Authenticator,
    ) -> None:
        self.app = app
        self.region = region
        self.build_reference = build_reference
        self.known_paths = known_paths
        self.audited = audited
        self.auditor = auditor
        self.metrics = metrics
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        audited = (scope["method"], scope["path"]) in self.audited
        exchange = Exchange.open(scope, self.auditor if audited else None, self.metrics)
        refusal = self._identify(scope, exchange)
        if audited and not self.auditor.healthy:
            refusal = AuditUnavailable("The audit trail cannot be written now; retry later.")
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers.append("X-Request-Id", exchange.request_id)
                headers.append("X-Served-Region", self.region)
                # Read when the response starts: by then the pipeline has said which build answers.
                build = exchange.build
                headers.append(
                    "X-Model-Build", build.reference if build is not None else self.build_reference
                )
            await send(message)

        try:
            if refusal is not None:
                response = await refusal_response(exchange, refusal)
                await response(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            log.error("request %s failed: %s", exchange.request_id, exception_summary(exc))
            if status == 0:
                failure = InternalError(f"The server failed to process request {exchange.request_id}.")
                response = await refusal_response(exchange, failure)
                await response(scope, receive, send_with_headers)
            else:
                status = 500  # the headers are out; the client sees a truncated response
        finally:
            await exchange.settle(status)
            # An access log without query strings or unknown paths: a client may put anything there.
            path = scope["path"] if scope["path"] in self.known_paths else "(other path)"
            access_log.info(
                "%s %s %s %d %.3fs",
                exchange.request_id,
                scope["method"],
                path,
                status,
                exchange.elapsed(),
            )

    def _identify(self, scope: Scope, exchange: Exchange) -> ServiceError | None:
        """Record who is calling; the refusal if nobody may be served (401, 429, or 500 if identifying
        them failed: nobody is served whose identity is in doubt)."""
        try:
            exchange.record_caller(self.authenticator.identify(scope))
        except (Unauthenticated, RateLimited) as exc:
            exchange.record_caller(Caller(exc.identity, origins=frozenset(), builds=frozenset()))
            return exc
        except Exception as exc:
            log.error(
                "request %s: identifying the caller failed: %s", exchange.request_id, exception_summary(exc)
            )
            return InternalError(f"The server failed to process request {exchange.request_id}.")
        return None
