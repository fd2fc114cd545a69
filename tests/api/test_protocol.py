"""The HTTP layer on a real server, over raw sockets, with either HTTP implementation (httptools and h11):
origin and identity read from the request head only (never from a chunked body's trailer), limits on
the head before anyone is identified, and read timeouts (slow heads, stalled bodies, idle
connections). The servers here run with small limits so that each attack takes a second or two."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from inference.cli import build_parser
from inference.cli.common import serve_settings_from
from inference.policy.grants import GrantsFile, new_api_key, save_grants
from tests.conftest import ConfigRoot
from tests.servers import Server, metric

HEAD_LIMIT = 4096
FIELD_LIMIT = 32
CHAT = json.dumps({"model": "eu-tiny", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1})
# What a stalled connection is given beyond its timeout (1 s here) before the test calls it open.
SLACK = 2.5


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def error_code(self) -> str:
        error = json.loads(self.body)["error"]
        assert set(error) == {"message", "type", "param", "code"}
        code: str = error["code"]
        return code


@dataclass(frozen=True)
class Edge:
    """A server with small HTTP limits and a grants file, and the secret of its one key."""

    server: Server
    key: str
    http: str


@pytest.fixture(scope="module")
def api_key_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    grant, secret = new_api_key("edge-tests", ["EU"])
    path = tmp_path_factory.mktemp("edge-grants") / "grants.yaml"
    save_grants(path, GrantsFile(api_keys=(grant,)))
    return path, secret


@pytest.fixture(scope="module", params=["httptools", "h11"])
def edge(
    request: pytest.FixtureRequest,
    config_root: ConfigRoot,
    api_key_file: tuple[Path, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Edge]:
    path, secret = api_key_file
    http: str = request.param
    env = {
        **config_root.env(),
        "REGIONAL_LLM_DATA_DIR": str(tmp_path_factory.mktemp(f"edge-data-{http}")),
        # Settings from the environment, as a deployment sets them.
        "REGIONAL_LLM_HTTP": http,
        "REGIONAL_LLM_LIMIT_REQUEST_HEAD_BYTES": str(HEAD_LIMIT),
        "REGIONAL_LLM_LIMIT_REQUEST_FIELDS": str(FIELD_LIMIT),
        "REGIONAL_LLM_TIMEOUT_REQUEST_HEAD": "1",
        "REGIONAL_LLM_TIMEOUT_REQUEST_BODY": "1",
        "REGIONAL_LLM_TIMEOUT_REQUEST": "4",
        "REGIONAL_LLM_TIMEOUT_KEEP_ALIVE": "1",
    }
    log = tmp_path_factory.mktemp(f"edge-logs-{http}") / "server.log"
    running = Server(["--region", "eu-test", "--api-keys-file", str(path)], env, log)
    running.wait_ready()
    yield Edge(running, secret, http)
    running.stop()


def connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


class Replies:
    """The responses arriving on `sock`, one after the other (pipelined ones may share a read)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pending = b""

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise AssertionError(f"the connection closed before a whole response: {self.pending!r}")
        self.pending += chunk

    def _take(self, size: int) -> bytes:
        while len(self.pending) < size:
            self._more()
        taken, self.pending = self.pending[:size], self.pending[size:]
        return taken

    def _line(self) -> bytes:
        while b"\r\n" not in self.pending:
            self._more()
        line, _, self.pending = self.pending.partition(b"\r\n")
        return line

    def next(self) -> Reply:
        while b"\r\n\r\n" not in self.pending:
            self._more()
        head, _, self.pending = self.pending.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        if "content-length" in headers:
            body = self._take(int(headers["content-length"]))
        else:
            body = b""
            while size := int(self._line(), 16):
                body += self._take(size + 2)[:-2]
            self._line()
        return Reply(int(lines[0].split()[1]), headers, body)


def read_reply(sock: socket.socket) -> Reply:
    """The one response expected on `sock`."""
    return Replies(sock).next()


def closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Whether the server closes `sock` within `seconds`, and what it sent before."""
    received = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return False, received
        except ConnectionResetError:
            return True, received
        if not chunk:
            return True, received
        received += chunk
    return False, received


def chunked(body: str, trailer: str) -> bytes:
    data = body.encode()
    return b"%x\r\n%s\r\n0\r\n%s\r\n" % (len(data), data, trailer.encode())


def chat_head(*fields: str, length: int | None = None) -> bytes:
    framing = "Transfer-Encoding: chunked" if length is None else f"Content-Length: {length}"
    lines = ["POST /v1/chat/completions HTTP/1.1", "Host: localhost", "Content-Type: application/json"]
    return ("\r\n".join([*lines, framing, *fields]) + "\r\n\r\n").encode()


def send_all(server: Server, data: bytes) -> Reply:
    with connect(server) as sock:
        sock.sendall(data)
        return read_reply(sock)


def rss_kib(server: Server) -> int:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    assert found is not None
    return int(found.group(1))


# --- finding 1: trailers are not headers ---------------------------------------------------------------


def test_an_origin_in_a_trailer_is_not_an_origin(edge: Edge) -> None:
    # The whole request in one packet: the trailer is parsed before the app even runs.
    head = chat_head(f"Authorization: Bearer {edge.key}", "Trailer: X-Data-Origin", "Connection: close")
    reply = send_all(edge.server, head + chunked(CHAT, "X-Data-Origin: DE\r\n"))
    assert reply.status == 400, reply
    assert reply.error_code() == "data_origin_missing"


def test_an_api_key_in_a_trailer_identifies_nobody(edge: Edge) -> None:
    head = chat_head("X-Data-Origin: DE", "Trailer: Authorization", "Connection: close")
    reply = send_all(edge.server, head + chunked(CHAT, f"Authorization: Bearer {edge.key}\r\n"))
    assert reply.status == 401, reply
    assert reply.error_code() == "invalid_api_key"


def test_a_trailer_cannot_add_an_origin_code(edge: Edge) -> None:
    # With trailers joined to the head this would be "DE,US": a 403.
    head = chat_head(f"Authorization: Bearer {edge.key}", "X-Data-Origin: DE", "Connection: close")
    reply = send_all(edge.server, head + chunked(CHAT, "X-Data-Origin: US\r\n"))
    assert reply.status == 200, reply
    assert json.loads(reply.body)["object"] == "chat.completion"


# --- finding 2: limits on the head ---------------------------------------------------------------------


def test_a_head_over_the_limit_is_431_and_closed(edge: Edge) -> None:
    before = metric(
        edge.server,
        "regional_llm:request_refused_total",
        code="request_header_fields_too_large",
        headers={"Authorization": f"Bearer {edge.key}"},
    )
    with connect(edge.server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10_000 + b"\r\n\r\n")
        reply = read_reply(sock)
        assert closed_within(sock, 5)[0]
    assert reply.status == 431
    assert reply.error_code() == "request_header_fields_too_large"
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["connection"] == "close"
    after = metric(
        edge.server,
        "regional_llm:request_refused_total",
        code="request_header_fields_too_large",
        headers={"Authorization": f"Bearer {edge.key}"},
    )
    assert after == before + 1


def test_a_long_request_line_is_431(edge: Edge) -> None:
    reply = send_all(edge.server, b"GET /health?" + b"q" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert reply.status == 431
    assert reply.error_code() == "request_header_fields_too_large"


def test_a_head_in_many_packets_is_limited_too(edge: Edge) -> None:
    received = b""
    with connect(edge.server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        for _ in range(20):
            sock.sendall(b"X-Part: " + b"b" * 600 + b"\r\n")
            closed, received = closed_within(sock, 0.1)
            if received or closed:
                break
    assert received.startswith(b"HTTP/1.1 431 ")


def test_too_many_header_fields_is_431(edge: Edge) -> None:
    fields = "".join(f"X-F{i}: v\r\n" for i in range(FIELD_LIMIT + 1))
    reply = send_all(edge.server, f"GET /health HTTP/1.1\r\nHost: x\r\n{fields}\r\n".encode())
    assert reply.status == 431
    assert reply.error_code() == "request_header_fields_too_large"
    # One fewer (with Host) passes.
    fields = "".join(f"X-F{i}: v\r\n" for i in range(FIELD_LIMIT - 2))
    reply = send_all(
        edge.server, f"GET /health HTTP/1.1\r\nHost: x\r\n{fields}Connection: close\r\n\r\n".encode()
    )
    assert reply.status == 200


def test_an_unterminated_head_keeps_memory_bounded(edge: Edge) -> None:
    assert (
        send_all(edge.server, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status == 200
    )
    before = rss_kib(edge.server)
    sent = 0
    with connect(edge.server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Endless: ")
        block = b"z" * (1 << 20)
        try:
            while sent < 50 << 20:
                sock.sendall(block)
                sent += len(block)
        except (BrokenPipeError, ConnectionResetError):
            pass
    time.sleep(0.5)
    assert rss_kib(edge.server) - before < 4 * 1024, f"sent {sent} bytes"
    assert httpx.get(f"{edge.server.url}/health", timeout=10).status_code == 200


def test_an_unterminated_trailer_keeps_memory_bounded(edge: Edge) -> None:
    before = rss_kib(edge.server)
    sent = 0
    with connect(edge.server) as sock:
        head = chat_head(f"Authorization: Bearer {edge.key}", "X-Data-Origin: DE")
        sock.sendall(head + b"%x\r\n%s\r\n0\r\nX-Endless: " % (len(CHAT), CHAT.encode()))
        block = b"z" * (1 << 20)
        try:
            while sent < 50 << 20:
                sock.sendall(block)
                sent += len(block)
        except (BrokenPipeError, ConnectionResetError):
            pass
    time.sleep(0.5)
    assert rss_kib(edge.server) - before < 4 * 1024, f"sent {sent} bytes"


def test_the_defaults_take_the_official_client_and_a_large_token(server: Server) -> None:
    # A JWT with many claims is a few KiB; 8 KiB of bearer token still passes the default limit.
    token = "eyJ" + "x" * 8189
    with openai.OpenAI(
        base_url=f"{server.url}/v1", api_key=token, default_headers={"X-Data-Origin": "DE"}, max_retries=0
    ) as client:
        answer = client.chat.completions.create(
            model="eu-tiny", messages=[{"role": "user", "content": "Hi"}], max_tokens=1
        )
    assert answer.choices


def test_the_defaults_refuse_a_10_mb_head_and_10000_fields(server: Server) -> None:
    big = httpx.get(f"{server.url}/health", headers={"X-Big": "a" * 10_000_000}, timeout=30)
    assert big.status_code == 431
    many = httpx.get(f"{server.url}/health", headers={f"X-F{i}": "v" for i in range(10_000)}, timeout=30)
    assert many.status_code == 431
    assert many.json()["error"]["code"] == "request_header_fields_too_large"


# --- finding 2: read timeouts --------------------------------------------------------------------------


def test_a_head_sent_a_byte_at_a_time_is_cut_off(edge: Edge) -> None:
    with connect(edge.server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        started = time.monotonic()
        closed, received = False, b""
        while not closed and time.monotonic() - started < 1 + SLACK + 2:
            try:
                sock.sendall(b"s")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed, got = closed_within(sock, 0.25)
            received += got
        elapsed = time.monotonic() - started
    assert closed, "the slow head was never cut off"
    assert elapsed < 1 + SLACK
    assert received.startswith(b"HTTP/1.1 408 ")
    assert b'"code":"request_timeout"' in received


def test_blank_lines_trickled_before_a_request_are_cut_off(edge: Edge) -> None:
    # Blank lines before a request line are skipped by both parsers: they still count as its head.
    with connect(edge.server) as sock:
        started = time.monotonic()
        closed = False
        while not closed and time.monotonic() - started < 1 + SLACK + 2:
            try:
                sock.sendall(b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed = closed_within(sock, 0.25)[0]
    assert closed, "the trickle of blank lines was never cut off"
    assert time.monotonic() - started < 1 + SLACK


def test_a_stalled_body_is_408(edge: Edge) -> None:
    with connect(edge.server) as sock:
        head = chat_head(f"Authorization: Bearer {edge.key}", "X-Data-Origin: DE", length=len(CHAT))
        sock.sendall(head + CHAT.encode()[:10])
        started = time.monotonic()
        closed, received = closed_within(sock, 1 + SLACK)
    assert closed, "the stalled body was never cut off"
    assert time.monotonic() - started < 1 + SLACK
    assert received.startswith(b"HTTP/1.1 408 ")
    # The request it cut off is an aborted one (499 in the access log), not a server failure.
    edge.server.wait_for_output(r"POST /v1/chat/completions 499 ")
    assert "ClientDisconnect" not in edge.server.output()


def test_a_body_dripping_a_byte_at_a_time_is_cut_off(edge: Edge) -> None:
    # Each byte comes within the pause allowed between reads; the whole request still has 4 s.
    with connect(edge.server) as sock:
        head = chat_head(f"Authorization: Bearer {edge.key}", "X-Data-Origin: DE", length=len(CHAT))
        sock.sendall(head)
        started = time.monotonic()
        closed = False
        for byte in CHAT.encode():
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed = closed_within(sock, 0.5)[0]
            if closed:
                break
    assert closed, "the dripping body was never cut off"
    assert time.monotonic() - started < 4 + SLACK


def test_a_connection_that_sends_nothing_is_closed(edge: Edge) -> None:
    with connect(edge.server) as sock:
        closed, received = closed_within(sock, 1 + SLACK)
    assert closed
    assert received == b""


def test_an_idle_keep_alive_connection_is_closed(edge: Edge) -> None:
    with connect(edge.server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_reply(sock).status == 200
        # The connection stays usable within the keep-alive time ...
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_reply(sock).status == 200
        # ... and is closed after it.
        assert closed_within(sock, 1 + SLACK)[0]


def test_pipelined_requests_are_answered_in_order(edge: Edge) -> None:
    with connect(edge.server) as sock:
        sock.sendall(
            b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        replies = Replies(sock)
        statuses = [replies.next().status for _ in range(3)]
    assert statuses == [200, 401, 200]


def test_a_malformed_request_gets_an_openai_shaped_400(edge: Edge) -> None:
    reply = send_all(edge.server, b"GET /health HTTP/1.1\r\nHost: x\r\nBad Header: v\r\n\r\n")
    assert reply.status == 400
    assert reply.error_code() == "invalid_request"


def test_the_serve_flags_set_the_limits() -> None:
    args = build_parser().parse_args(
        [
            "serve",
            "--http",
            "h11",
            "--limit-request-head-bytes",
            "8192",
            "--limit-request-fields",
            "50",
            "--timeout-keep-alive",
            "7",
            "--timeout-request-head",
            "3",
            "--timeout-request-body",
            "4",
            "--timeout-request",
            "20",
        ]
    )
    settings: Any = serve_settings_from(args)
    assert (settings.http, settings.limit_request_head_bytes, settings.limit_request_fields) == (
        "h11",
        8192,
        50,
    )
    assert (settings.timeout_keep_alive, settings.timeout_request_head) == (7, 3)
    assert (settings.timeout_request_body, settings.timeout_request) == (4, 20)
