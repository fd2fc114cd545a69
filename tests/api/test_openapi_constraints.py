"""The published request schemas state what the server enforces: every request the real server refuses
for its shape is invalid against its own `/openapi.json`, and requests at the edge of each stated
constraint are both schema-valid and served. Refusals on meaning (an unknown model, a context too long,
blocked PII, an origin) are not shape constraints and are not listed here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from inference.privacy.entities import DETECTED_TYPES, KNOWN_TYPES
from tests.servers import Server

jsonschema_rs = pytest.importorskip("jsonschema_rs", reason="the schema checks need jsonschema-rs")

CHAT = "/v1/chat/completions"
TEXT = "/v1/completions"
_USER = [{"role": "user", "content": "Hi"}]


def _chat(**extra: Any) -> dict[str, Any]:
    return {"model": "eu-tiny", "messages": _USER, "max_tokens": 1, **extra}


def _text(**extra: Any) -> dict[str, Any]:
    return {"model": "eu-tiny", "prompt": "Hi", "max_tokens": 1, **extra}


REFUSED_FOR_SHAPE: list[tuple[str, dict[str, Any]]] = [
    (CHAT, _chat(n=2)),
    (CHAT, _chat(n=0)),
    (CHAT, _chat(stop=[f"s{i}" for i in range(9)])),
    (CHAT, _chat(stop="")),
    (CHAT, _chat(stop=["ok", ""])),
    (CHAT, _chat(max_tokens=0)),
    (CHAT, _chat(max_completion_tokens=0)),
    (CHAT, _chat(messages=[])),
    (CHAT, _chat(temperature=2.5)),
    (CHAT, _chat(top_p=0)),
    (CHAT, _chat(seed=-1)),
    (CHAT, _chat(logprobs=True)),
    (CHAT, _chat(top_logprobs=2)),
    (CHAT, _chat(response_format={"type": "json_object"})),
    (CHAT, _chat(response_format={"type": "text", "extra": 1})),
    (CHAT, _chat(tools=[{"type": "function"}])),
    (CHAT, _chat(tool_choice="auto")),
    (CHAT, _chat(tool_choice={"type": "function"})),
    (CHAT, _chat(store=True)),
    (CHAT, _chat(user="u" * 257)),
    (CHAT, _chat(pii_context={"MADE_UP_TYPE": ["x"]})),
    (CHAT, _chat(pii_context={"person": ["x"]})),
    (CHAT, _chat(pii_context={"PERSON": [""]})),
    (CHAT, _chat(pii_context={"PERSON": ["x" * 513]})),
    (CHAT, _chat(pii_context={"PERSON": [f"Name {i}" for i in range(65)]})),
    (CHAT, _chat(unknown_field=1)),
    (CHAT, _chat(messages=[{"role": "tool", "content": "x"}])),
    (CHAT, _chat(messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}])),
    (CHAT, _chat(stream_options={"include_usage": True, "other": 1})),
    (TEXT, _text(prompt=[])),
    (TEXT, _text(prompt=["Hi"] * 65)),
    (TEXT, _text(prompt=[1, 2, 3])),
    (TEXT, _text(n=3)),
    (TEXT, _text(best_of=2)),
    (TEXT, _text(suffix="after")),
    (TEXT, _text(logprobs=2)),
    (TEXT, _text(max_tokens=0)),
    (TEXT, _text(stop=[""])),
]

AT_THE_EDGE: list[tuple[str, dict[str, Any]]] = [
    (CHAT, _chat(n=1)),
    (CHAT, _chat(stop=[f"s{i}" for i in range(8)])),
    (CHAT, _chat(stop="x")),
    (CHAT, _chat(logprobs=False, top_logprobs=0, store=False, tools=[], tool_choice="none")),
    (CHAT, _chat(response_format={"type": "text"}, parallel_tool_calls=True, metadata={"case": "1"})),
    (CHAT, _chat(pii_context={t: ["Quentin Blorpington"] for t in DETECTED_TYPES[:32]})),
    (CHAT, _chat(pii_context={"PERSON": [f"Name {i}" for i in range(64)]})),
    (CHAT, _chat(pii_context={"CREDIT_CARD": ["x" * 512]})),
    (TEXT, _text(prompt=["Hi"] * 64, max_tokens=1)),
    (TEXT, _text(n=1, best_of=1, suffix="", logprobs=0, echo=True)),
]


@pytest.fixture(scope="module")
def schema_valid(server: Server) -> Callable[[str, dict[str, Any]], bool]:
    """Whether a body is valid against the request schema the server publishes for its path."""
    spec = httpx.get(f"{server.url}/openapi.json", timeout=10).json()

    def check(path: str, body: dict[str, Any]) -> bool:
        ref = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        document = {"$ref": ref, "components": spec["components"]}
        return bool(jsonschema_rs.validator_for(document).is_valid(body))

    return check


@pytest.mark.parametrize(("path", "body"), REFUSED_FOR_SHAPE)
def test_a_request_refused_for_its_shape_is_invalid_by_the_schema(
    server: Server, schema_valid: Callable[[str, dict[str, Any]], bool], path: str, body: dict[str, Any]
) -> None:
    response = httpx.post(f"{server.url}{path}", json=body, headers={"X-Data-Origin": "DE"}, timeout=60)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_request"
    assert not schema_valid(path, body), response.json()["error"]["message"]


@pytest.mark.parametrize(("path", "body"), AT_THE_EDGE)
def test_a_request_at_the_edge_of_the_schema_is_served(
    server: Server, schema_valid: Callable[[str, dict[str, Any]], bool], path: str, body: dict[str, Any]
) -> None:
    assert schema_valid(path, body)
    response = httpx.post(f"{server.url}{path}", json=body, headers={"X-Data-Origin": "DE"}, timeout=60)
    assert response.status_code == 200, response.text


def test_pii_context_names_exactly_the_regions_entity_types(server: Server) -> None:
    spec = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
    pii_context = spec["components"]["schemas"]["ChatCompletionRequest"]["properties"]["pii_context"]
    mapping = next(member for member in pii_context["anyOf"] if member.get("type") == "object")
    # The service's types (the test region's default policy names none of its own).
    assert pii_context["propertyNames"]["enum"] == sorted(KNOWN_TYPES)
    assert mapping["maxProperties"] == 32
    assert mapping["additionalProperties"]["maxItems"] == 64
