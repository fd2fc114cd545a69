"""The real server's log: its own start-up lines show the operator the address and build it was
configured with, while a value from a request is still redacted."""

from __future__ import annotations

import re

import httpx

from tests.servers import Server


def test_the_start_up_lines_show_the_address_to_the_operator(server: Server) -> None:
    server.wait_for_output(rf"Uvicorn running on http://127\.0\.0\.1:{server.port} ")
    server.wait_for_output(
        rf"serving region eu-test \(EU\) with build eu-tiny on http://127\.0\.0\.1:{server.port}"
    )
    assert "<IP_ADDRESS>" not in server.output()


def test_a_request_value_in_a_log_line_is_still_redacted(server: Server) -> None:
    # An IBAN is a plain token, so it can be a caller's request id: kept or not, the log never shows it.
    iban = "DE89370400440532013000"
    response = httpx.get(f"{server.url}/health", headers={"X-Request-Id": iban}, timeout=10)
    assert response.status_code == 200
    echoed = response.headers["x-request-id"]
    shown = "<IBAN_CODE>" if echoed == iban else echoed
    server.wait_for_output(rf"inference\.access: {re.escape(shown)} GET /health 200 ")
    assert iban not in server.output()
