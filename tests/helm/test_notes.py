"""templates/NOTES.txt: how to call the release, shown by `helm install`."""

from __future__ import annotations

import pytest

from tests.helm.chart import CHART, FULLNAME, NAMESPACE, REGION_VALUES, RELEASE, helm

ORIGIN = {"eu-central-1": "DE", "us-east-1": "US"}
SCHEME = {"eu-central-1": "http", "us-east-1": "https"}


def notes(region: str, *extra: str) -> str:
    """The notes of a client-side dry-run install with a region's values and `extra` arguments."""
    values = str(REGION_VALUES[region])
    result = helm("install", RELEASE, str(CHART), "-n", NAMESPACE, "--dry-run=client", "-f", values, *extra)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("NOTES:\n", 1)[1]


@pytest.mark.parametrize("region", sorted(REGION_VALUES))
def test_tells_how_to_call_the_release(region: str) -> None:
    text = notes(region)
    url = f"{SCHEME[region]}://{FULLNAME}.{NAMESPACE}.svc:8000"
    assert f"serves region {region}" in text
    assert f"{url}/v1\n" in text
    assert f"curl {url}/v1/chat/completions" in text
    assert f"-H 'X-Data-Origin: {ORIGIN[region]}'" in text
    assert '"model": "assistant"' in text
    assert f"kubectl -n {NAMESPACE} port-forward service/{FULLNAME} 8000:8000" in text
    assert f"helm test {RELEASE} -n {NAMESPACE} --logs" in text
    assert '-H "Authorization: Bearer $REGIONAL_LLM_KEY"' in text
    assert ("--cacert ca.crt" in text) == (SCHEME[region] == "https")
    assert "WARNING" not in text


def test_warns_when_callers_are_not_identified() -> None:
    text = notes("eu-central-1", "--set", "auth.existingSecret=", "--set", "auth.insecureNoAuth=true")
    assert "WARNING: auth.insecureNoAuth is true: callers are not identified" in text
    assert "Authorization" not in text


def test_warns_when_nobody_may_call() -> None:
    text = notes(
        "eu-central-1", "--set-json", "networkPolicy.clients=[]", "--set-json", "networkPolicy.scrapers=[]"
    )
    assert "WARNING: networkPolicy.clients is empty: no pod may call the API" in text
