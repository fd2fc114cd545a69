"""Mutual TLS on a real server: certificates made here with trustme (a CA for the server, one for the
clients, another one nobody trusts); no client certificate, one from the other CA, an expired one, one
without a grant, and valid ones, with httpx and with the official `openai` client; API keys over the
same connections, alone and together with a certificate."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import trustme

from inference.policy.grants import CertificateGrant, GrantsFile, new_api_key, save_grants
from tests.conftest import ConfigRoot
from tests.servers import Server, run_cli

CHAT = {"model": "eu-tiny", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2}
CONNECTION_REFUSED = (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError)


@dataclass
class Pki:
    server_ca: trustme.CA
    client_ca: trustme.CA
    stranger_ca: trustme.CA
    folder: Path

    def trust(self, client: trustme.LeafCert | None = None) -> ssl.SSLContext:
        """A client context that trusts the server, presenting `client` if given."""
        context = ssl.create_default_context()
        self.server_ca.configure_trust(context)
        if client is not None:
            client.configure_cert(context)
        return context


@dataclass
class Callers:
    chatbot: trustme.LeafCert  # SAN chatbot.eu.example: granted DE, FR
    crm: trustme.LeafCert  # CN crm-sync, SAN crm.internal: granted by its CN, FR only
    ungranted: trustme.LeafCert
    expired: trustme.LeafCert
    stranger: trustme.LeafCert  # the right name, from a CA the server does not trust
    key: str  # an API key granted FR and IT
    key_id: str
    rated_key: str  # an API key granted FR, 2 requests a minute


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(trustme.CA(), trustme.CA(), trustme.CA(), tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def callers(pki: Pki) -> Callers:
    now = datetime.now(UTC)
    key, secret = new_api_key("crm-fr-it", ["FR", "IT"])
    rated, rated_secret = new_api_key("fr-batch", ["FR"], rate=2)
    grants = GrantsFile(
        api_keys=(key, rated),
        client_certificates=(
            CertificateGrant(name="chatbot.eu.example", label="eu-chatbot", origins=("DE", "FR")),
            CertificateGrant(name="crm-sync", origins=("FR",)),
        ),
    )
    save_grants(pki.folder / "grants.yaml", grants)
    return Callers(
        chatbot=pki.client_ca.issue_cert("chatbot.eu.example"),
        crm=pki.client_ca.issue_cert("crm.internal", common_name="crm-sync"),
        ungranted=pki.client_ca.issue_cert("intruder.example"),
        expired=pki.client_ca.issue_cert(
            "chatbot.eu.example", not_before=now - timedelta(days=30), not_after=now - timedelta(days=1)
        ),
        stranger=pki.stranger_ca.issue_cert("chatbot.eu.example"),
        key=secret,
        key_id=key.id,
        rated_key=rated_secret,
    )


@pytest.fixture(scope="module")
def mtls_env(config_root: ConfigRoot, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {**config_root.env(), "REGIONAL_LLM_DATA_DIR": str(tmp_path_factory.mktemp("mtls-data"))}


@pytest.fixture(scope="module")
def mtls(pki: Pki, callers: Callers, mtls_env: dict[str, str]) -> Iterator[Server]:
    pki.server_ca.issue_cert("127.0.0.1", "localhost").private_key_and_cert_chain_pem.write_to_path(
        str(pki.folder / "server.pem")
    )
    pki.client_ca.cert_pem.write_to_path(str(pki.folder / "client-ca.pem"))
    env = {
        **mtls_env,
        # Settings from the environment, as the Helm chart passes them.
        "REGIONAL_LLM_SSL_CERTFILE": str(pki.folder / "server.pem"),
        "REGIONAL_LLM_SSL_CA_CERTS": str(pki.folder / "client-ca.pem"),
        "REGIONAL_LLM_API_KEYS_FILE": str(pki.folder / "grants.yaml"),
    }
    running = Server(["--region", "eu-test"], env, pki.folder / "server.log", trust=pki.trust())
    running.wait_ready()
    yield running
    running.stop()


def chat(
    server: Server, context: ssl.SSLContext, origin: str = "DE", key: str | None = None, **headers: str
) -> httpx.Response:
    sent = {"X-Data-Origin": origin, **headers}
    if key is not None:
        sent["Authorization"] = f"Bearer {key}"
    with httpx.Client(verify=context, timeout=60) as client:
        return client.post(f"{server.url}/v1/chat/completions", json=CHAT, headers=sent)


def code_of(response: httpx.Response) -> Any:
    return response.json()["error"]["code"]


def test_the_official_client_works_with_a_client_certificate(
    mtls: Server, pki: Pki, callers: Callers
) -> None:
    with (
        httpx.Client(verify=pki.trust(callers.chatbot)) as http,
        openai.OpenAI(
            base_url=f"{mtls.url}/v1",
            api_key="unused",  # the client always sends one; with a certificate it is not a credential
            default_headers={"X-Data-Origin": "FR"},
            http_client=http,
            max_retries=0,
        ) as client,
    ):
        answer = client.chat.completions.create(**CHAT)
        assert answer.model == "eu-tiny"
        chunks = list(client.chat.completions.create(**CHAT, stream=True))
        assert chunks[-1].choices[0].finish_reason is not None
        with pytest.raises(openai.PermissionDeniedError) as raised:
            client.chat.completions.create(**CHAT, extra_headers={"X-Data-Origin": "IT"})
        assert raised.value.code == "origin_not_granted"


def test_without_a_client_certificate_only_the_probes_answer(mtls: Server, pki: Pki) -> None:
    with httpx.Client(verify=pki.trust(), timeout=10) as client:
        assert client.get(f"{mtls.url}/health").status_code == 200
        assert client.get(f"{mtls.url}/ready").status_code == 200
        refused = client.get(f"{mtls.url}/v1/models")
    assert (refused.status_code, code_of(refused)) == (401, "invalid_api_key")
    assert "client certificate" in refused.json()["error"]["message"]
    response = chat(mtls, pki.trust())
    assert (response.status_code, code_of(response)) == (401, "invalid_api_key")


@pytest.mark.parametrize("which", ["stranger", "expired"])
def test_a_certificate_from_another_ca_or_expired_ends_the_handshake(
    mtls: Server, pki: Pki, callers: Callers, which: str
) -> None:
    with pytest.raises(CONNECTION_REFUSED):
        chat(mtls, pki.trust(getattr(callers, which)))
    # The server goes on serving.
    assert chat(mtls, pki.trust(callers.chatbot)).status_code == 200


def test_plain_http_is_not_served(mtls: Server) -> None:
    with pytest.raises(CONNECTION_REFUSED):
        httpx.get(mtls.url.replace("https:", "http:") + "/health", timeout=10)


def test_a_valid_certificate_without_a_grant_is_401(mtls: Server, pki: Pki, callers: Callers) -> None:
    response = chat(mtls, pki.trust(callers.ungranted))
    assert (response.status_code, code_of(response)) == (401, "invalid_api_key")
    assert response.json()["error"]["message"] == "The client certificate has no grant in this region."


def test_a_grant_may_name_the_common_name(mtls: Server, pki: Pki, callers: Callers) -> None:
    assert chat(mtls, pki.trust(callers.crm), origin="FR").status_code == 200
    refused = chat(mtls, pki.trust(callers.crm), origin="DE")
    assert (refused.status_code, code_of(refused)) == (403, "origin_not_granted")


def test_a_key_works_over_tls_without_a_certificate(mtls: Server, pki: Pki, callers: Callers) -> None:
    assert chat(mtls, pki.trust(), origin="IT", key=callers.key).status_code == 200
    wrong = chat(mtls, pki.trust(), origin="IT", key="rllm_abcdef123456_" + "C" * 43)
    assert (wrong.status_code, code_of(wrong)) == (401, "invalid_api_key")


def test_a_key_and_a_certificate_together_get_what_both_grant(
    mtls: Server, pki: Pki, callers: Callers
) -> None:
    both = pki.trust(callers.chatbot)
    # The certificate grants DE and FR, the key FR and IT: together, FR only.
    assert chat(mtls, both, origin="FR", key=callers.key).status_code == 200
    for origin in ("DE", "IT"):
        refused = chat(mtls, both, origin=origin, key=callers.key)
        assert (refused.status_code, code_of(refused)) == (403, "origin_not_granted"), origin
    # A wrong key is not made good by a valid certificate.
    wrong = chat(mtls, both, origin="FR", key="rllm_abcdef123456_" + "D" * 43)
    assert (wrong.status_code, code_of(wrong)) == (401, "invalid_api_key")


def test_a_key_has_one_rate_whatever_the_connection(mtls: Server, pki: Pki, callers: Callers) -> None:
    alone, with_certificate = pki.trust(), pki.trust(callers.chatbot)
    # Two a minute: both spent without a certificate, then none left over one.
    assert [chat(mtls, alone, origin="FR", key=callers.rated_key).status_code for _ in range(2)] == [200, 200]
    refused = chat(mtls, with_certificate, origin="FR", key=callers.rated_key)
    assert (refused.status_code, code_of(refused)) == (429, "rate_limit_exceeded")
    assert int(refused.headers["retry-after"]) >= 1
    # The certificate's own grant, used alone, is not charged for the key's refusal.
    assert chat(mtls, with_certificate, origin="FR").status_code == 200


def test_the_audit_trail_names_the_certificate(
    mtls: Server, pki: Pki, callers: Callers, mtls_env: dict[str, str]
) -> None:
    sent = {
        "cert": chat(mtls, pki.trust(callers.chatbot), origin="FR"),
        "both": chat(mtls, pki.trust(callers.chatbot), origin="FR", key=callers.key),
        "ungranted": chat(mtls, pki.trust(callers.ungranted)),
    }
    # Each response's X-Request-Id is its record's key.
    names = {response.headers["x-request-id"]: name for name, response in sent.items()}
    exported = run_cli("audit", "export", env=mtls_env, timeout=120)
    records = {
        names[r["request_id"]]: r
        for r in map(json.loads, exported.stdout.splitlines())
        if r["request_id"] in names
    }
    assert records["cert"]["identity"] == "cert:chatbot.eu.example"
    assert records["both"]["identity"] == f"key:{callers.key_id}/crm-fr-it+cert:chatbot.eu.example"
    assert (records["ungranted"]["identity"], records["ungranted"]["status"]) == (
        "cert:intruder.example",
        401,
    )
    assert all(r["decision"] in ("served", "refused") for r in records.values())


def test_the_log_has_no_traceback_and_no_key(mtls: Server, callers: Callers) -> None:
    output = mtls.output()
    assert "Traceback" not in output
    assert callers.key.split("_", 2)[2] not in output
    assert "BEGIN" not in output  # no certificate or key material


def test_the_container_health_check_follows_tls(mtls: Server) -> None:
    import os
    import subprocess
    import sys

    env = os.environ | {"REGIONAL_LLM_PORT": str(mtls.port), "REGIONAL_LLM_SSL_CERTFILE": "server.pem"}
    check = subprocess.run([sys.executable, "-m", "inference.healthcheck"], env=env, timeout=30, check=False)
    assert check.returncode == 0
