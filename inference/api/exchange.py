"""One request, from the edge to its audit record: the `Exchange`.

The middleware opens an Exchange for every HTTP request (its id, arrival, caller and stage timer) and
settles it when the response has ended. The id is the server's own, unique (the X-Request-Id response
header and the audit record's key); the caller's X-Request-Id goes to the record only once screened.
Layers add to it only through its `record_*` methods; the audit record is built from it and committed
by `commit()`, which runs exactly once. An Exchange of a route that is not audited has no auditor, and
nothing to commit.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from starlette.datastructures import Headers
from starlette.types import Scope

from inference.api.timing import StageTimes
from inference.audit.trail import AuditDraft, Auditor, GenerationOutcome
from inference.audit.writer import utc_now
from inference.errors import AuditUnavailable, InternalError, ServiceError
from inference.metrics import ServiceMetrics
from inference.policy.identity import Caller
from inference.policy.origin import OriginTag
from inference.privacy.screen import Screening

log = logging.getLogger(__name__)

_SCOPE_KEY = "regional_llm.exchange"
_NOBODY = Caller("anonymous", origins=frozenset(), builds=frozenset())


class ServedBuild(Protocol):
    """What the Exchange needs of the build a request resolved to."""

    @property
    def id(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def digest(self) -> str: ...


@dataclass
class Exchange:
    """The state of one request. Audited exchanges (those of the routes that take one) end in exactly one
    audit record: served, refused, failed or aborted."""

    request_id: str
    """The server's own id of the request, never the caller's: two requests never share one."""
    path: str
    arrived: float
    """`time.perf_counter()` when the request arrived."""
    auditor: Auditor | None
    metrics: ServiceMetrics
    caller: Caller = _NOBODY
    timing: StageTimes = field(default_factory=StageTimes)
    origin: OriginTag | None = None
    build: ServedBuild | None = None
    screening: Screening | None = None
    refusal: ServiceError | None = None
    client_request_id: str | None = None
    """The caller's X-Request-Id as sent (unscreened: the record keeps it only if it passes)."""
    _time: str = field(default_factory=utc_now, init=False)
    _pii_counts: dict[tuple[str, str], int] = field(default_factory=dict, init=False)
    _contradictions: dict[tuple[str, str], int] = field(default_factory=dict, init=False)
    _raw_prompts: tuple[str, ...] = field(default=(), init=False)
    _roles: tuple[str, ...] = field(default=(), init=False)
    _generations: list[GenerationOutcome] = field(default_factory=list, init=False)
    _committed: bool = field(default=False, init=False)

    @classmethod
    def open(cls, scope: Scope, auditor: Auditor | None, metrics: ServiceMetrics) -> Exchange:
        """A new Exchange for the request of `scope`, kept in the scope for the route's dependencies."""
        exchange = cls(
            request_id=uuid.uuid4().hex,
            path=scope["path"],
            arrived=time.perf_counter(),
            auditor=auditor,
            metrics=metrics,
            client_request_id=Headers(scope=scope).get("x-request-id"),
        )
        scope[_SCOPE_KEY] = exchange
        return exchange

    @classmethod
    def of(cls, scope: Scope) -> Exchange:
        """The Exchange the middleware opened for this request."""
        exchange = scope.get(_SCOPE_KEY)
        if not isinstance(exchange, Exchange):
            # A route mounted outside the middleware: nothing about this request can be vouched for.
            raise InternalError("The server failed to process the request.")
        return exchange

    @property
    def audited(self) -> bool:
        return self.auditor is not None

    @property
    def committed(self) -> bool:
        return self._committed

    def elapsed(self) -> float:
        """Seconds since the request arrived."""
        return time.perf_counter() - self.arrived

    # --- what the layers record ------------------------------------------------------------------------

    def record_caller(self, caller: Caller) -> None:
        """Who sent the request (the audit trail names them, refusals included)."""
        self.caller = caller

    def record_origin(self, tag: OriginTag) -> None:
        """The parsed data-origin tag, recorded whether or not the region accepts it."""
        self.origin = tag

    def record_build(self, build: ServedBuild) -> None:
        """The build that answers: named by the X-Model-Build header and by the record."""
        self.build = build

    def record_screening(self, screening: Screening, raw: list[str], roles: list[str] | None = None) -> None:
        """The privacy stage's outcome and the caller's texts (kept in memory until the commit: the record
        keeps them only as the region's `audit.text` allows)."""
        self.screening = screening
        self._pii_counts = dict(screening.counts)
        self._raw_prompts = tuple(raw)
        self._roles = tuple(roles or ())
        self.metrics.pii_seen(screening.counts)
        if screening.contradictions:
            self.record_contradictions(screening.contradictions)

    def record_contradictions(self, contradictions: Mapping[tuple[str, str], int]) -> None:
        """Detected values that point to a country the region does not accept: (type, country) counts,
        refused or flagged, never the values."""
        self._contradictions = dict(contradictions)
        self.metrics.origin_contradicted(contradictions)

    def record_blocked(self, counts: dict[tuple[str, str], int]) -> None:
        """What the privacy stage found in a request it refused (counts, never values)."""
        self._pii_counts = dict(counts)

    def record_generation(self, generation: GenerationOutcome) -> None:
        """A generation started for this request; its tokens and finish are read at the commit."""
        self._generations.append(generation)

    def record_refusal(self, error: ServiceError) -> None:
        """The error the request ends in; its code is the record's reason."""
        self.refusal = error

    # --- the end --------------------------------------------------------------------------------------

    async def commit(self, status: int, *, aborted: bool = False) -> None:
        """Write this request's audit record, once: later calls do nothing. Raises `AuditUnavailable` when
        the record could not be stored, so that the answer is withheld (or the stream ends in an error)."""
        if self._committed or self.auditor is None:
            return
        self._committed = True
        try:
            if self.refusal is not None:
                self.metrics.refused(self.refusal.code)
            if isinstance(self.refusal, AuditUnavailable):
                return  # the store cannot take records: that is the refusal
            with self.timing.measure("audit"):
                await self.auditor.commit(self._draft(), status, aborted)
        finally:
            self.metrics.stages(self.timing.seconds)

    async def settle(self, status: int) -> None:
        """The response has ended: an audited request that has no record yet (its client went away, or its
        stream broke off) is recorded as aborted. Never raises: the response is already gone."""
        if self._committed or self.auditor is None:
            return
        try:
            await self.commit(status or 499, aborted=True)
        except AuditUnavailable as exc:
            log.error("request %s: %s", self.request_id, exc.message)

    def _draft(self) -> AuditDraft:
        build = self.build
        return AuditDraft(
            request_id=self.request_id,
            path=self.path,
            identity=self.caller.identity,
            arrived=self.arrived,
            time=self._time,
            origins=str(self.origin) if self.origin is not None else "",
            reason=self.refusal.code if self.refusal is not None else "",
            refused=self.refusal is not None and self.refusal.refused,
            screening=self.screening,
            pii_counts=self._pii_counts,
            contradictions=self._contradictions,
            roles=self._roles,
            raw_prompts=self._raw_prompts,
            generations=tuple(self._generations),
            build=(build.id, build.digest) if build is not None else None,
            client_request_id=self.client_request_id,
        )
