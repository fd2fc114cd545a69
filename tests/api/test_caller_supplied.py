"""What a caller supplies besides its texts, on the real server: identifiers are stored only screened and
never as the record's key, entity types in `pii_context` are the region's own (no metric series or trail
keys made up by callers), and error bodies name a field or model only when it is a plain identifier
the PII detector finds clean."""

from __future__ import annotations

import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.conftest import ConfigRoot
from tests.servers import Server, run_cli

IBAN = "DE89370400440532013000"
EMAIL = "anna.schmidt@example.de"
SERVER_ID = re.compile(r"[0-9a-f]{32}")


def _chat(
    server: Server, body: Any = None, *, content_type: str = "application/json", **headers: str
) -> httpx.Response:
    payload = body if body is not None else _body()
    return httpx.post(
        f"{server.url}/v1/chat/completions",
        content=payload if isinstance(payload, bytes) else json.dumps(payload).encode(),
        headers={"Content-Type": content_type, "X-Data-Origin": "DE", **headers},
        timeout=60,
    )


def _body(**extra: Any) -> dict[str, Any]:
    return {"model": "eu-tiny", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1, **extra}


def _records(config: ConfigRoot, request_ids: set[str]) -> dict[str, dict[str, Any]]:
    exported = run_cli("audit", "export", env=config.env(), timeout=120)
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    return {r["request_id"]: r for r in records if r["request_id"] in request_ids}


# --- finding 5: caller-supplied identifiers -------------------------------------------------------------


def test_the_record_key_is_the_servers_id_and_the_callers_id_is_kept_only_screened(
    server: Server, config_root: ConfigRoot
) -> None:
    plain = f"crm-case-{uuid.uuid4().hex[:10]}:attempt-2"
    responses = {
        "plain": _chat(server, **{"X-Request-Id": plain}),
        "iban": _chat(server, **{"X-Request-Id": IBAN}),
        "spaced": _chat(server, **{"X-Request-Id": "not a token"}),
        "label": _chat(server, **{"X-Client-Label": EMAIL}),
        "clean-label": _chat(server, **{"X-Client-Label": "storefront-de"}),
    }
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 200)
    ids = {name: r.headers["x-request-id"] for name, r in responses.items()}
    # The header carries the server's own id, which keys the request's record.
    assert all(SERVER_ID.fullmatch(value) for value in ids.values()), ids
    records = _records(config_root, set(ids.values()))
    assert set(records) == set(ids.values())
    by_name = {name: records[ids[name]] for name in responses}
    assert by_name["plain"]["client_request_id"] == plain
    assert by_name["iban"]["client_request_id"] is None
    assert by_name["spaced"]["client_request_id"] is None
    assert by_name["label"]["identity"] == "anonymous"
    assert by_name["clean-label"]["identity"] == "storefront-de"
    stored = json.dumps(list(records.values()))
    assert IBAN not in stored
    assert "anna.schmidt" not in stored


def test_two_requests_with_the_same_id_get_records_of_their_own(
    server: Server, config_root: ConfigRoot
) -> None:
    shared = f"retry{uuid.uuid4().hex[:12]}"
    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(lambda _: _chat(server, **{"X-Request-Id": shared}), range(2)))
    ids = {r.headers["x-request-id"] for r in responses}
    assert len(ids) == 2
    records = _records(config_root, ids)
    assert len(records) == 2
    assert [r["client_request_id"] for r in records.values()] == [shared, shared]


# --- finding 4: entity types in pii_context -----------------------------------------------------------


def _pii_series(server: Server) -> set[str]:
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    return {line.rsplit(" ", 1)[0] for line in text.splitlines() if line.startswith("regional_llm:pii_")}


def test_fresh_entity_types_add_no_metric_series_and_no_trail_keys(
    server: Server, config_root: ConfigRoot
) -> None:
    run = uuid.uuid4().hex[:6].upper()
    series = _pii_series(server)
    ids = set()
    for index in range(100):
        made_up = f"MADE_UP_{run}_{index}"
        response = _chat(
            server,
            _body(
                messages=[{"role": "user", "content": "Please call Quentin Blorpington back."}],
                pii_context={made_up: ["Quentin Blorpington"]},
            ),
        )
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert (error["code"], error["param"]) == ("invalid_request", "pii_context")
        assert made_up not in response.text
        ids.add(response.headers["x-request-id"])
    assert _pii_series(server) == series
    records = _records(config_root, ids)
    assert len(records) == 100
    assert all(record["pii"] == {} for record in records.values())
    # A type the detector knows is still accepted.
    assert _chat(server, _body(pii_context={"PERSON": ["Quentin Blorpington"]})).status_code == 200


# --- finding 6: error bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "status", "param"),
    [
        # Unknown field names: one that is not a plain identifier, one the detector finds an IBAN in.
        (_body(**{EMAIL: 1}), "application/json", 400, None),
        (_body(**{IBAN: 1}), "application/json", 400, None),
        # A content part's type.
        (
            _body(messages=[{"role": "user", "content": [{"type": IBAN, "text": "x"}]}]),
            None,
            400,
            "messages[0].content[0]",
        ),
        # pii_context and metadata keys, control characters included.
        (_body(pii_context={f"{EMAIL}\r\nX-Injected: 1": ["x"]}), None, 400, "pii_context"),
        (_body(metadata={f"{EMAIL}\x1b[2J": 5}), None, 400, "metadata"),
        (_body(metadata={IBAN: 5}), None, 400, "metadata"),
        # A model name that looks like an id, and one that is not one.
        (_body(model=IBAN), None, 404, "model"),
        (_body(model=EMAIL), None, 404, "model"),
        # The Content-Type value.
        (_body(), f"text/{EMAIL}", 400, None),
        (_body(), f"application/{IBAN}", 400, None),
    ],
)
def test_errors_do_not_echo_names_that_are_not_plain_and_clean(
    server: Server, body: dict[str, Any], content_type: str | None, status: int, param: str | None
) -> None:
    response = _chat(server, body, content_type=content_type or "application/json")
    assert response.status_code == status
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["param"] == param
    for secret in ("anna.schmidt", "example.de", IBAN, "0532013000", "\x1b", "X-Injected"):
        assert secret not in response.text, (secret, response.text)


@pytest.mark.parametrize(
    ("body", "content_type", "param", "named"),
    [
        (_body(foo_bar=1), "application/json", "foo_bar", "Unrecognized request argument supplied: foo_bar"),
        (
            _body(messages=[{"role": "user", "content": [{"type": "image_url", "text": "x"}]}]),
            "application/json",
            "messages[0].content[0]",
            "expected tags: 'text'",
        ),
        (_body(metadata={"crm_case": 5}), "application/json", "metadata.crm_case", "'metadata.crm_case'"),
        (_body(model="gpt-4o-mini"), "application/json", "model", "The model 'gpt-4o-mini'"),
        (_body(), "text/plain", None, "not 'text/plain'"),
    ],
)
def test_plain_clean_names_are_still_named(
    server: Server, body: dict[str, Any], content_type: str, param: str | None, named: str
) -> None:
    response = _chat(server, body, content_type=content_type)
    error = response.json()["error"]
    assert error["param"] == param
    assert named in error["message"]
