"""Routes on the real server: no slash redirects (a redirect would be built from the caller's Host), and
a 405 that says which methods the endpoint takes."""

from __future__ import annotations

import httpx
import pytest

from tests.servers import Server


def error_code(response: httpx.Response) -> str:
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    code: str = error["code"]
    return code


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/chat/completions/"),
        ("POST", "/v1/completions/"),
        ("GET", "/v1/models/"),
        ("GET", "/health/"),
    ],
)
def test_a_trailing_slash_is_not_found_not_redirected(server: Server, method: str, path: str) -> None:
    response = httpx.request(
        method,
        f"{server.url}{path}",
        headers={"Host": "attacker.example", "X-Data-Origin": "DE"},
        json={"model": "eu-tiny", "messages": [{"role": "user", "content": "Hi"}]},
        timeout=10,
    )
    assert response.status_code == 404
    assert "location" not in response.headers
    assert error_code(response) == "not_found"
    assert response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("TRACE", "/v1/chat/completions", "POST"),
        ("GET", "/v1/chat/completions", "POST"),
        ("DELETE", "/v1/completions", "POST"),
        ("POST", "/v1/models", "GET"),
        ("TRACE", "/health", "GET"),
    ],
)
def test_a_method_not_allowed_names_the_allowed_ones(
    server: Server, method: str, path: str, allowed: str
) -> None:
    response = httpx.request(method, f"{server.url}{path}", timeout=10)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert error_code(response) == "method_not_allowed"
    assert method not in response.json()["error"]["message"]
