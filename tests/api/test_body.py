"""Reading a body against a region's privacy stage: `pii_context` names the service's entity types and
the region policy's own, never a caller's made-up one; a message repeats a caller's name only when the
region's detector finds it clean, and without the privacy stage, never. (The same through the real
server: test_caller_supplied.py.)"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from starlette.requests import Request
from starlette.types import Message

from inference.api.body import read_json
from inference.api.schemas import ChatCompletionRequest
from inference.errors import InvalidRequest
from inference.privacy.detector import PiiDetector
from inference.privacy.policy import PrivacyPolicy
from inference.privacy.screen import PrivacyScreen


@pytest.fixture(scope="module")
def privacy() -> PrivacyScreen:
    policy = PrivacyPolicy(entities={"CUSTOMER_ID": "pseudonymize", "CREDIT_CARD": "block"})
    return PrivacyScreen(PiiDetector(), policy, None)


def _request(body: dict[str, Any]) -> Request:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": json.dumps(body).encode(), "more_body": False}

    scope = {"type": "http", "method": "POST", "headers": [(b"content-type", b"application/json")]}
    return Request(scope, receive)


def _read(body: dict[str, Any], privacy: PrivacyScreen | None) -> ChatCompletionRequest:
    return asyncio.run(read_json(_request(body), ChatCompletionRequest, 65536, privacy))


def _chat(**extra: Any) -> dict[str, Any]:
    return {"model": "eu-tiny", "messages": [{"role": "user", "content": "Hi"}], **extra}


def test_the_regions_own_types_may_be_named(privacy: PrivacyScreen) -> None:
    read = _read(_chat(pii_context={"CUSTOMER_ID": ["C-4711"], "LOCATION": ["Hauptstr. 1"]}), privacy)
    assert read.pii_context == {"CUSTOMER_ID": ["C-4711"], "LOCATION": ["Hauptstr. 1"]}
    with pytest.raises(InvalidRequest) as refused:
        _read(_chat(pii_context={"CUSTOMER_ID": ["C-4711"]}), None)
    assert refused.value.param == "pii_context"
    assert "CUSTOMER_ID" not in refused.value.message


def test_a_type_the_region_does_not_know_is_refused_without_naming_it(privacy: PrivacyScreen) -> None:
    with pytest.raises(InvalidRequest) as refused:
        _read(_chat(pii_context={"PERSON": ["x"], "SHOE_SIZE": [""]}), privacy)
    assert refused.value.param == "pii_context"
    assert "SHOE_SIZE" not in refused.value.message
    assert "CUSTOMER_ID" in refused.value.message  # the known types are listed


def test_names_are_repeated_only_when_the_detector_finds_them_clean(privacy: PrivacyScreen) -> None:
    with pytest.raises(InvalidRequest) as clean:
        _read(_chat(frobnicate=1), privacy)
    assert (clean.value.param, clean.value.message) == (
        "frobnicate",
        "Unrecognized request argument supplied: frobnicate",
    )
    with pytest.raises(InvalidRequest) as unchecked:
        _read(_chat(frobnicate=1), None)
    assert (unchecked.value.param, unchecked.value.message) == (
        None,
        "An unrecognized request argument was supplied.",
    )
    with pytest.raises(InvalidRequest) as nested:
        _read(_chat(messages=[{"role": "user", "content": "x", "Anna_Schmidt": 1}]), privacy)
    assert nested.value.param == "messages[0]"
    assert nested.value.message == "An unrecognized request argument was supplied in 'messages[0]'."


def test_the_most_telling_member_of_a_union_is_described(privacy: PrivacyScreen) -> None:
    with pytest.raises(InvalidRequest) as too_many:
        _read(_chat(stop=[f"s{i}" for i in range(9)]), privacy)
    assert too_many.value.param == "stop"
    assert "at most 8 items" in too_many.value.message
    with pytest.raises(InvalidRequest) as empty:
        _read(_chat(stop=["ok", ""]), privacy)
    assert empty.value.param == "stop[1]"
    assert "at least 1 character" in empty.value.message
