"""The server's HTTP/1.1 protocol: uvicorn's httptools and h11 implementations, held to what a service
that refuses requests before it knows who sends them needs.

- Origin and identity are read from the request head only: a field that arrives after the head (a
  chunked body's trailer) never joins the request's headers. (uvicorn's httptools protocol appends
  trailer fields to `scope["headers"]`; its h11 protocol drops them.)
- The head is bounded before anyone is identified: `limit_request_head_bytes` for the request line and
  header fields, `limit_request_fields` for their number (431, then close). A chunked body's framing
  and trailer fields count against the same byte limit: a parser buffers a field until it ends.
- Reads have deadlines: the head within `timeout_request_head` of its first byte, the whole request
  within `timeout_request`, no pause in a body over `timeout_request_body` (408, or a bare close once a
  response has started); a connection with no request in progress closes after `timeout_keep_alive`,
  before its first request too. Time the server is the one not reading (flow control, a response still
  going out before a pipelined request, a client waiting for `100 Continue`) is not held against anyone.
- Refusals here are OpenAI-shaped (the classes of `errors.py`), counted by code, and close the
  connection; no request exists yet, so they carry no request id and leave no audit record.
- A TLS connection's client certificate is handed to the app (`api/tls.py`).
"""

from __future__ import annotations

import asyncio
import http
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

import h11
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from inference.api.tls import tls_extension, with_tls
from inference.errors import InvalidRequest, RequestHeadTooLarge, RequestTimeout, ServiceError

if TYPE_CHECKING:
    from inference.config import Settings

log = logging.getLogger(__name__)

# What a chunk may add to the bytes of a request that are not its body: its size line and two CRLFs.
_CHUNK_FRAMING = 32
# The request line's two spaces, `HTTP/1.1` and CRLF, and the CRLF that ends the head.
_HEAD_FRAMING = 2 + 8 + 2 + 2


@dataclass(frozen=True)
class EdgeLimits:
    """The limits and deadlines of the HTTP layer (see the module docstring)."""

    head_bytes: int
    header_fields: int
    keep_alive_seconds: int
    head_seconds: float
    body_pause_seconds: float
    request_seconds: float

    @classmethod
    def of(cls, settings: Settings) -> EdgeLimits:
        """The limits `settings` configure."""
        return cls(
            head_bytes=settings.limit_request_head_bytes,
            header_fields=settings.limit_request_fields,
            keep_alive_seconds=settings.timeout_keep_alive,
            head_seconds=settings.timeout_request_head,
            body_pause_seconds=settings.timeout_request_body,
            request_seconds=settings.timeout_request,
        )


@dataclass(frozen=True)
class Edge:
    """What every connection's guard is given: the limits, and where to count a refusal by its code."""

    limits: EdgeLimits
    count_refusal: Callable[[str], None]


class _Cycle(Protocol):
    """What the guard reads of uvicorn's request-response cycle (alike in both implementations)."""

    response_started: bool
    response_complete: bool
    waiting_for_100_continue: bool


class ConnectionGuard:
    """One connection's limits and read deadlines, and its refusals. Its protocol tells it where the
    request in progress stands; `refused` is set once the connection has been refused and closed."""

    def __init__(
        self,
        edge: Edge,
        loop: asyncio.AbstractEventLoop,
        transport: asyncio.Transport,
        flow: FlowControl,
        default_headers: Sequence[tuple[bytes, bytes]],
        cycle: Callable[[], _Cycle | None],
    ) -> None:
        self._edge = edge
        self._limits = edge.limits
        self._loop = loop
        self._transport = transport
        self._flow = flow
        self._default_headers = default_headers
        self._cycle = cycle
        self.refused = False
        self.phase: Literal["idle", "head", "body"] = "idle"
        self._overhead = 0
        self._allowance = self._limits.head_bytes
        self._head_timer: asyncio.TimerHandle | None = None
        self._pause_timer: asyncio.TimerHandle | None = None
        self._request_timer: asyncio.TimerHandle | None = None

    def head_started(self) -> None:
        """A request's first byte has arrived (nothing if its head had already begun)."""
        if self.phase != "idle" or self.refused:
            return
        self.phase = "head"
        self._overhead, self._allowance = 0, self._limits.head_bytes
        self._head_timer = self._loop.call_later(self._limits.head_seconds, self._head_late)
        self._request_timer = self._loop.call_later(self._limits.request_seconds, self._request_late)

    def overhead(self, count: int) -> None:
        """`count` more bytes of the request that are not body: head, chunk framing, trailer fields."""
        self._overhead += count
        if self._overhead > self._allowance:
            self.refuse(RequestHeadTooLarge("The request's header fields are too large."))

    def chunk_started(self) -> None:
        """A body chunk began: its framing is allowed for."""
        self._allowance += _CHUNK_FRAMING

    def head_complete(self, method: bytes, target: bytes, fields: Sequence[tuple[bytes, bytes]]) -> bool:
        """The head has ended; whether it is within the limits (if not, it has been refused)."""
        self.head_started()  # a head that came whole in one read began with it
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        size = len(method) + len(target) + _HEAD_FRAMING + sum(len(n) + len(v) + 4 for n, v in fields)
        if size > self._limits.head_bytes or len(fields) > self._limits.header_fields:
            self.refuse(RequestHeadTooLarge("The request's header fields are too large."))
            return False
        self.phase, self._overhead = "body", size
        self.body_received()
        return True

    def body_received(self) -> None:
        """Body bytes arrived: the pause allowed before the next ones starts again."""
        if self._pause_timer is not None:
            self._pause_timer.cancel()
        self._pause_timer = self._loop.call_later(self._limits.body_pause_seconds, self._pause_late)

    def message_complete(self) -> None:
        """The request has arrived in full: from here on, the server is the one to act."""
        self.phase = "idle"
        self.stop()

    def stop(self) -> None:
        """Cancel every deadline (the connection is closing, or has nothing left to read)."""
        for timer in (self._head_timer, self._pause_timer, self._request_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._pause_timer = self._request_timer = None

    def refuse(self, error: ServiceError) -> None:
        """Answer `error` in the OpenAI shape and close the connection (only close it if a response is
        going out on it, or this request's has begun: a status line cannot follow)."""
        if self.refused:
            return
        self.refused = True
        self.stop()
        log.warning("connection refused at the HTTP layer: %d %s", error.status_code, error.code)
        self._edge.count_refusal(error.code)
        if self._transport.is_closing():
            return
        if not self._can_answer():
            self._transport.close()
            return
        body = json.dumps(error.to_body(), separators=(",", ":")).encode()
        phrase = http.HTTPStatus(error.status_code).phrase
        lines = [f"HTTP/1.1 {error.status_code} {phrase}".encode()]
        lines += [name + b": " + value for name, value in self._default_headers]
        lines += [b"content-type: application/json", b"content-length: %d" % len(body), b"connection: close"]
        lines += [f"{name}: {value}".encode("latin-1") for name, value in error.headers.items()]
        self._transport.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        self._transport.close()

    def _can_answer(self) -> bool:
        cycle = self._cycle()
        if cycle is None:
            return True
        if self.phase == "body":
            return not cycle.response_started
        return cycle.response_complete  # the cycle is an earlier request's

    def _server_turn(self) -> bool:
        """Whether the server, not the client, is the one holding the request up."""
        if self._flow.read_paused:
            return True
        cycle = self._cycle()
        if cycle is None:
            return False
        if self.phase == "head":
            return not cycle.response_complete  # an earlier response on this connection is going out
        return cycle.waiting_for_100_continue

    def _head_late(self) -> None:
        if self._server_turn():
            self._head_timer = self._loop.call_later(self._limits.head_seconds, self._head_late)
        else:
            self.refuse(RequestTimeout("The request's head did not arrive in time."))

    def _pause_late(self) -> None:
        if self._server_turn():
            self._pause_timer = self._loop.call_later(self._limits.body_pause_seconds, self._pause_late)
        else:
            self.refuse(RequestTimeout("The request's body stopped arriving."))

    def _request_late(self) -> None:
        if self._server_turn():
            self._request_timer = self._loop.call_later(self._limits.request_seconds, self._request_late)
        else:
            self.refuse(RequestTimeout("The request did not arrive in time."))


class HttpToolsEdgeProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol under the guard: trailer fields ignored, every byte that is not body
    counted, deadlines kept."""

    edge: ClassVar[Edge]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.guard = _guard_connection(self, transport)
        self.messages_begun = 0
        self.body_bytes = 0

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.stop()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.guard.refused:
            return
        self.guard.head_started()  # any byte, blank lines before a request line too
        begun, phase, body = self.messages_begun, self.guard.phase, self.body_bytes
        super().data_received(data)
        # Counted only when one phase of one request spans the whole read; a read where a request or its
        # body begins or ends is bounded by itself, and its head is measured exactly at its end.
        if self.messages_begun == begun and self.guard.phase == phase != "idle":
            self.guard.overhead(len(data) - (self.body_bytes - body))

    def send_400_response(self, msg: str) -> None:
        self.guard.refuse(InvalidRequest("The request is not valid HTTP/1.1."))

    def on_message_begin(self) -> None:
        if self.guard.refused:
            return
        super().on_message_begin()
        self.messages_begun += 1
        self.body_bytes = 0
        self.guard.head_started()

    def on_url(self, url: bytes) -> None:
        if not self.guard.refused:
            super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        # After the head, a field is a trailer: never a header of the request.
        if self.guard.phase == "head" and not self.guard.refused:
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self.guard.refused or not self.guard.head_complete(
            self.parser.get_method(), self.url, self.headers
        ):
            return
        super().on_headers_complete()

    def on_chunk_header(self) -> None:
        self.guard.chunk_started()

    def on_body(self, body: bytes) -> None:
        if self.guard.refused:
            return
        self.body_bytes += len(body)
        self.guard.body_received()
        super().on_body(body)

    def on_message_complete(self) -> None:
        if self.guard.refused:
            return
        self.guard.message_complete()
        super().on_message_complete()


class _GuardedH11Connection(h11.Connection):
    """h11's server connection telling the guard of each event; its own refusals go through the guard."""

    def __init__(self, guard: ConnectionGuard, limits: EdgeLimits) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=limits.head_bytes)
        self.guard = guard

    def next_event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        if self.guard.refused:
            return h11.NEED_DATA
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as exc:
            too_large = exc.error_status_hint == 431
            self.guard.refuse(
                RequestHeadTooLarge("The request's header fields are too large.")
                if too_large
                else InvalidRequest("The request is not valid HTTP/1.1.")
            )
            return h11.NEED_DATA  # refused and closed: nothing more to read
        if isinstance(event, h11.Request):
            if not self.guard.head_complete(event.method, event.target, list(event.headers)):
                return h11.NEED_DATA
        elif isinstance(event, h11.Data):
            self.guard.body_received()
        elif isinstance(event, h11.EndOfMessage):
            self.guard.message_complete()  # its trailer fields, if any, stay out of the request
        return event


class H11EdgeProtocol(H11Protocol):
    """uvicorn's h11 protocol under the guard (h11 bounds every event it buffers by the head limit)."""

    edge: ClassVar[Edge]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.guard = _guard_connection(self, transport)
        self.conn = _GuardedH11Connection(self.guard, self.edge.limits)

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.stop()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.guard.refused:
            return
        self.guard.head_started()  # any byte, blank lines before a request line too
        super().data_received(data)
        self._note_head_started()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._note_head_started()

    def _note_head_started(self) -> None:
        # A read that ended one request may have begun the next, which h11 holds until it is whole.
        if self.conn.their_state is h11.IDLE and self.conn.trailing_data[0]:
            self.guard.head_started()


def _guard_connection(
    protocol: HttpToolsEdgeProtocol | H11EdgeProtocol, transport: asyncio.Transport
) -> ConnectionGuard:
    """What both protocols do with a new connection: hand its TLS details to the app, put it under a
    guard, and arm the keep-alive timer (uvicorn arms it after a response only: a connection that never
    sends gets it too)."""
    tls = tls_extension(transport)
    if tls is not None:
        protocol.app = with_tls(protocol.app, tls)
    guard = ConnectionGuard(
        protocol.edge,
        protocol.loop,
        transport,
        protocol.flow,
        protocol.server_state.default_headers,
        lambda: protocol.cycle,
    )
    protocol.timeout_keep_alive_task = protocol.loop.call_later(
        protocol.timeout_keep_alive, protocol.timeout_keep_alive_handler
    )
    return guard


def http_protocol(settings: Settings, count_refusal: Callable[[str], None]) -> type[asyncio.Protocol]:
    """The protocol class for uvicorn's `http` option: the implementation `settings.http` names (auto:
    httptools, as uvicorn chooses when it is installed) under `settings`' limits."""
    edge = Edge(EdgeLimits.of(settings), count_refusal)
    base: type[HttpToolsEdgeProtocol | H11EdgeProtocol] = (
        H11EdgeProtocol if settings.http == "h11" else HttpToolsEdgeProtocol
    )
    return type(base.__name__, (base,), {"edge": edge})
