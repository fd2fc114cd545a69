"""The container's health check, against a real server and against none."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.servers import Server, free_port


def _check(port: int, **env: str) -> int:
    environment = os.environ | {"REGIONAL_LLM_PORT": str(port)} | env
    return subprocess.run(
        [sys.executable, "-m", "inference.healthcheck"], env=environment, timeout=30, check=False
    ).returncode


def test_healthy_when_the_server_answers(server: Server) -> None:
    assert _check(server.port) == 0


def test_unhealthy_when_nothing_listens() -> None:
    assert _check(free_port()) == 1


def test_asks_with_tls_when_the_server_has_a_certificate(server: Server) -> None:
    # The shared server speaks plain HTTP: a TLS handshake with it fails, so the check says unhealthy.
    # (tests/api/test_mtls.py runs it against a TLS server.)
    assert _check(server.port, REGIONAL_LLM_SSL_CERTFILE="server.pem") == 1
