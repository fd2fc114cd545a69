"""Origin evidence: detected values that point to a country (an IBAN's, a phone number's calling code, a
VAT id's prefix, a national id's state), judged against the region's accepted origins, through real
servers with the official client, in each `privacy.origin_evidence` mode. The audit record, the metric
and `audit incident` name types and countries, never values."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from tests.conftest import ConfigRoot, write_config
from tests.servers import Server, run_cli

IBAN_GB = "GB82 WEST 1234 5698 7654 32"
IBAN_FR = "FR14 2004 1010 0505 0001 3M02 606"
PHONE_US = "+1 650 253 0000"
PHONE_DE = "+49 30 901820"
VAT_DE = "DE136695976"
TAX_ID_DE = "65929970489"
SSN_US = "536-22-1234"
BSN_NL = "111222333"

EU = "[EU, EEA, AT, DE, FR, IE, IT, NL, ES, NO]"
REGIONS = {
    "eu-refuse": ("EU", EU, "refuse"),
    "eu-flag": ("EU", EU, "flag"),
    "eu-off": ("EU", EU, "off"),
    "us-refuse": ("US", "[US]", "refuse"),
    "us-flag": ("US", "[US]", "flag"),
}


@pytest.fixture(scope="module")
def evidence_config(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> ConfigRoot:
    base = tmp_path_factory.mktemp("evidence")
    config = write_config(base / "conf", tiny_model_dir, base / "cache")
    for region, (jurisdiction, accepted, mode) in REGIONS.items():
        build = f"{jurisdiction.lower()}-tiny"
        (config.regions_dir / f"{region}.yaml").write_text(
            f"id: {region}\njurisdiction: {jurisdiction}\naccepted_origins: {accepted}\nbuilds: [{build}]\n"
            f"privacy:\n  origin_evidence: {mode}\n"
        )
    return config


@pytest.fixture(scope="module")
def servers(
    evidence_config: ConfigRoot, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Server]]:
    logs = tmp_path_factory.mktemp("evidence-logs")
    started = {
        region: Server(["--region", region], evidence_config.env(), logs / f"{region}.log")
        for region in REGIONS
    }
    try:
        for running in started.values():
            running.wait_ready()
        yield started
    finally:
        for running in started.values():
            running.stop()


def _chat(server: Server, origin: str, text: str) -> tuple[int, str | None, str]:
    """(status, error code, the server's request id) of one chat request through the official client."""
    with openai.OpenAI(
        base_url=f"{server.url}/v1",
        api_key="unused",
        default_headers={"X-Data-Origin": origin},
        max_retries=0,
    ) as client:
        try:
            raw = client.chat.completions.with_raw_response.create(
                model="assistant", messages=[{"role": "user", "content": text}], max_tokens=2
            )
        except openai.APIStatusError as refused:
            return refused.status_code, refused.code, refused.response.headers["x-request-id"]
        raw.parse()
        return raw.status_code, None, raw.headers["x-request-id"]


def _record(config: ConfigRoot, request_id: str) -> dict[str, Any]:
    result = run_cli("audit", "export", env=config.env(), timeout=120)
    assert result.returncode == 0, result.stderr
    (record,) = [r for r in map(json.loads, result.stdout.splitlines()) if r["request_id"] == request_id]
    return record


CASES = [
    # region, origin tag, text, status, code, contradictions in the record
    (
        "eu-refuse",
        "DE",
        f"Refund to {IBAN_GB} please",
        403,
        "data_origin_contradicted",
        {"IBAN_CODE": {"GB": 1}},
    ),
    (
        "eu-refuse",
        "DE",
        f"Call me at {PHONE_US}",
        403,
        "data_origin_contradicted",
        {"PHONE_NUMBER": {"US": 1}},
    ),
    # Another country the region accepts is no contradiction (a French IBAN in a German request).
    ("eu-refuse", "DE", f"Refund to {IBAN_FR}, or call {PHONE_DE}", 200, None, None),
    ("eu-refuse", "DE", f"Unser Kunde hat die USt-IdNr. {VAT_DE}.", 200, None, None),
    ("eu-refuse", "DE", f"BSN {BSN_NL}", 200, None, None),
    # Decided before PII blocking: a US social security number is blocked by default, but contradicts first.
    ("eu-refuse", "DE", f"My SSN is {SSN_US}.", 403, "data_origin_contradicted", {"US_SSN": {"US": 1}}),
    ("eu-flag", "DE", f"My SSN is {SSN_US}.", 422, "pii_blocked", {"US_SSN": {"US": 1}}),
    (
        "eu-flag",
        "DE",
        f"Refund to {IBAN_GB}, call {PHONE_US}",
        200,
        None,
        {"IBAN_CODE": {"GB": 1}, "PHONE_NUMBER": {"US": 1}},
    ),
    ("eu-off", "DE", f"Refund to {IBAN_GB}, call {PHONE_US}", 200, None, None),
    (
        "us-refuse",
        "US",
        f"Our supplier's VAT id is {VAT_DE}.",
        403,
        "data_origin_contradicted",
        {"EU_VAT_ID": {"DE": 1}},
    ),
    (
        "us-refuse",
        "US",
        f"Meine Steuer-ID ist {TAX_ID_DE}.",
        403,
        "data_origin_contradicted",
        {"DE_TAX_ID": {"DE": 1}},
    ),
    ("us-refuse", "US", f"Call me at {PHONE_US}", 200, None, None),
    (
        "us-flag",
        "US",
        f"Wire it to {IBAN_FR}, BSN {BSN_NL}",
        200,
        None,
        {"IBAN_CODE": {"FR": 1}, "NL_BSN": {"NL": 1}},
    ),
]


@pytest.mark.parametrize(("region", "origin", "text", "status", "code", "contradictions"), CASES)
def test_origin_evidence(
    servers: dict[str, Server],
    evidence_config: ConfigRoot,
    region: str,
    origin: str,
    text: str,
    status: int,
    code: str | None,
    contradictions: dict[str, dict[str, int]] | None,
) -> None:
    got_status, got_code, request_id = _chat(servers[region], origin, text)
    assert (got_status, got_code) == (status, code)
    record = _record(evidence_config, request_id)
    assert record["contradictions"] == contradictions
    exported = json.dumps(record)
    for value in (IBAN_GB, IBAN_FR, PHONE_US, PHONE_DE, VAT_DE, TAX_ID_DE, SSN_US, BSN_NL):
        assert value not in exported


def test_the_refusal_names_types_and_countries_never_values(servers: dict[str, Server]) -> None:
    response = httpx.post(
        f"{servers['eu-refuse'].url}/v1/chat/completions",
        json={"model": "assistant", "messages": [{"role": "user", "content": f"{IBAN_GB} / {PHONE_US}"}]},
        headers={"X-Data-Origin": "DE"},
        timeout=60,
    )
    assert response.status_code == 403
    error = response.json()["error"]
    assert (error["code"], error["type"], error["param"]) == (
        "data_origin_contradicted",
        "permission_error",
        "messages",
    )
    assert "GB (IBAN_CODE)" in error["message"]
    assert "US (PHONE_NUMBER)" in error["message"]
    assert "WEST" not in error["message"]
    assert "650" not in error["message"]


def test_contradictions_are_counted_by_country_and_reported_by_incident(
    servers: dict[str, Server], evidence_config: ConfigRoot
) -> None:
    def counted(country: str) -> float:
        text = httpx.get(f"{servers['eu-flag'].url}/metrics", timeout=30).text
        for line in text.splitlines():
            if (
                line.startswith("regional_llm:origin_contradictions_total{")
                and f'country="{country}"' in line
            ):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = counted("GB")
    text = f"Bitte auf {IBAN_GB} erstatten, Rückruf {PHONE_US}, Kunde {uuid.uuid4().hex[:6]}"
    status, _, request_id = _chat(servers["eu-flag"], "FR", text)
    assert status == 200
    assert counted("GB") == before + 1
    incident = run_cli("audit", "incident", "--since", "1h", "--format", "json", env=evidence_config.env())
    assert incident.returncode == 0, incident.stderr
    facts = json.loads(incident.stdout)
    assert _record(evidence_config, request_id)["contradictions"] == {
        "IBAN_CODE": {"GB": 1},
        "PHONE_NUMBER": {"US": 1},
    }
    assert facts["origin_contradictions"]["GB:IBAN_CODE"] >= 1
    assert facts["origin_contradictions"]["US:PHONE_NUMBER"] >= 1
    assert facts["requests_with_origin_contradictions"] >= 1
    markdown = run_cli("audit", "incident", "--since", "1h", env=evidence_config.env()).stdout
    assert "| GB:IBAN_CODE |" in markdown
    assert IBAN_GB not in incident.stdout + markdown
