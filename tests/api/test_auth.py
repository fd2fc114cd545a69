"""API keys on a real server (a `regional-llm serve` subprocess with a grants file): keys missing,
wrong, revoked, expired and out of scope; the official client with a key; rate limits per key; the
identity in the audit trail; secrets nowhere; the start-up refusals."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from inference.api.app import create_app
from inference.api.auth import Authenticator
from inference.api.context import ServingContext
from inference.assembly import build_authenticator
from inference.cli.common import CliError, serve_settings_from, settings_from
from inference.config import ServeSettings
from inference.policy.grants import ApiKeyGrant, GrantsFile, new_api_key, save_grants
from inference.policy.identity import Caller
from tests.api.test_engine_failures import FailingEngine
from tests.conftest import ConfigRoot, start_context
from tests.servers import Server, metric, run_cli

CHAT = {"model": "eu-tiny", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2}


@dataclass
class Keyring:
    """The grants file of the keys server and the secrets of its keys, by name."""

    path: Path
    secrets: dict[str, str]
    grants: dict[str, ApiKeyGrant]

    def id(self, name: str) -> str:
        return self.grants[name].id


def write_keys(path: Path) -> Keyring:
    past = datetime.now(UTC) - timedelta(days=1)
    made = {
        "storefront": new_api_key("eu-storefront", ["EU"], ["eu-tiny"]),
        "germany": new_api_key("crm-de", ["DE"]),
        "other-build": new_api_key("us-only-build", ["EU"], ["us-tiny"]),
        "revoked": new_api_key("gone", ["EU"]),
        "expired": new_api_key("old", ["EU"]),
        "limited": new_api_key("batch-job", ["EU"], rate=3),
        "limited-chat": new_api_key("chat-job", ["EU"], rate=1),
    }
    grants = {name: grant for name, (grant, _) in made.items()}
    grants["revoked"] = grants["revoked"].model_copy(update={"revoked": past})
    grants["expired"] = grants["expired"].model_copy(update={"expires": past})
    save_grants(path, GrantsFile(api_keys=tuple(grants.values())))
    return Keyring(path, {name: secret for name, (_, secret) in made.items()}, grants)


@pytest.fixture(scope="module")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> Keyring:
    return write_keys(tmp_path_factory.mktemp("grants") / "grants.yaml")


@pytest.fixture(scope="module")
def keyed_env(config_root: ConfigRoot, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # Its own audit store, so that the records read back are this server's.
    return {**config_root.env(), "REGIONAL_LLM_DATA_DIR": str(tmp_path_factory.mktemp("keyed-data"))}


@pytest.fixture(scope="module")
def keyed(
    keyring: Keyring, keyed_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("keyed-logs") / "server.log"
    running = Server(["--region", "eu-test", "--api-keys-file", str(keyring.path)], keyed_env, log)
    running.wait_ready()
    yield running
    running.stop()


def post(
    server: Server, key: str | None, origin: str = "DE", body: Any = None, **headers: str
) -> httpx.Response:
    sent = {"X-Data-Origin": origin, **headers}
    if key is not None:
        sent["Authorization"] = f"Bearer {key}"
    return httpx.post(f"{server.url}/v1/chat/completions", json=body or CHAT, headers=sent, timeout=60)


def error_of(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


def test_the_official_client_works_with_a_key(keyed: Server, keyring: Keyring) -> None:
    with openai.OpenAI(
        base_url=f"{keyed.url}/v1",
        api_key=keyring.secrets["storefront"],
        default_headers={"X-Data-Origin": "FR"},
        max_retries=0,
    ) as client:
        answer = client.chat.completions.create(**CHAT)
        assert answer.model == "eu-tiny"
        streamed = list(client.chat.completions.create(**CHAT, stream=True))
        assert streamed[-1].choices[0].finish_reason is not None
        assert [m.id for m in client.models.list().data] == ["eu-tiny", "assistant"]


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "You didn't provide an API key."),
        ("Basic dXNlcjpwYXNz", "Incorrect API key provided."),
        ("Bearer sk-not-ours", "Incorrect API key provided."),
        ("Bearer rllm_abcdef123456_" + "A" * 43, "Incorrect API key provided."),
    ],
)
def test_a_missing_or_unknown_key_is_401(keyed: Server, authorization: str | None, message: str) -> None:
    headers = {"X-Data-Origin": "DE"} | ({"Authorization": authorization} if authorization else {})
    response = httpx.post(f"{keyed.url}/v1/chat/completions", json=CHAT, headers=headers, timeout=60)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    error = error_of(response)
    assert error["code"] == "invalid_api_key"
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith(message)
    assert response.headers["x-served-region"] == "eu-test"


def test_a_wrong_secret_of_a_real_key_is_401(keyed: Server, keyring: Keyring) -> None:
    real = keyring.secrets["storefront"]
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    response = post(keyed, forged)
    assert (response.status_code, error_of(response)["message"]) == (401, "Incorrect API key provided.")
    assert forged not in response.text


def test_the_official_client_raises_authentication_error(keyed: Server) -> None:
    with (
        openai.OpenAI(
            base_url=f"{keyed.url}/v1",
            api_key="wrong",
            default_headers={"X-Data-Origin": "DE"},
            max_retries=0,
        ) as client,
        pytest.raises(openai.AuthenticationError) as raised,
    ):
        client.chat.completions.create(**CHAT)
    assert raised.value.code == "invalid_api_key"


@pytest.mark.parametrize(("name", "message"), [("revoked", "revoked"), ("expired", "expired on")])
def test_revoked_and_expired_keys_are_401(keyed: Server, keyring: Keyring, name: str, message: str) -> None:
    response = post(keyed, keyring.secrets[name])
    assert response.status_code == 401
    assert message in error_of(response)["message"]


def test_an_origin_outside_the_grant_is_403_before_the_body_is_read(keyed: Server, keyring: Keyring) -> None:
    # Not even JSON: the grant is checked before the body is read.
    response = httpx.post(
        f"{keyed.url}/v1/chat/completions",
        content=b"{not json",
        headers={"X-Data-Origin": "DE,FR", "Authorization": f"Bearer {keyring.secrets['germany']}"},
        timeout=30,
    )
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "origin_not_granted"
    assert error["type"] == "permission_error"
    assert error["param"] == "X-Data-Origin"
    assert error["message"] == (
        f"The caller key:{keyring.id('germany')}/crm-de may not send data of origin FR; its grant covers DE."
    )
    assert post(keyed, keyring.secrets["germany"], origin="de").status_code == 200


def test_the_region_is_checked_before_the_grant(keyed: Server, keyring: Keyring) -> None:
    response = post(keyed, keyring.secrets["germany"], origin="US")
    assert (response.status_code, error_of(response)["code"]) == (403, "data_origin_mismatch")


def test_an_eu_grant_covers_the_member_states_and_not_the_eea(keyed: Server, keyring: Keyring) -> None:
    for origin in ("EU", "DE", "FR, IT", "AT"):
        assert post(keyed, keyring.secrets["storefront"], origin=origin).status_code == 200, origin
    for origin in ("NO", "EEA", "DE,NO"):
        response = post(keyed, keyring.secrets["storefront"], origin=origin)
        assert (response.status_code, error_of(response)["code"]) == (403, "origin_not_granted"), origin


def test_a_build_outside_the_grant_is_not_found(keyed: Server, keyring: Keyring) -> None:
    secret = keyring.secrets["other-build"]
    response = post(keyed, secret)
    assert (response.status_code, error_of(response)["code"]) == (404, "model_not_found")
    # The same answer as for a build this region does not serve at all: nothing to learn.
    unknown = post(keyed, secret, body={**CHAT, "model": "gpt-4o"})
    assert error_of(response)["message"].replace("'eu-tiny'", "'gpt-4o'") == error_of(unknown)["message"]
    listed = httpx.get(f"{keyed.url}/v1/models", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert (listed.status_code, listed.json()["data"]) == (200, [])


def test_only_health_and_ready_are_open(keyed: Server, keyring: Keyring) -> None:
    for path in ("/health", "/ready"):
        assert httpx.get(f"{keyed.url}{path}", timeout=10).status_code == 200, path
    for path in ("/metrics", "/v1/models", "/openapi.json", "/docs", "/no-such-path"):
        response = httpx.get(f"{keyed.url}{path}", timeout=10)
        assert (response.status_code, error_of(response)["code"]) == (401, "invalid_api_key"), path
    authorized = {"Authorization": f"Bearer {keyring.secrets['storefront']}"}
    assert httpx.get(f"{keyed.url}/metrics", headers=authorized, timeout=10).status_code == 200
    assert httpx.get(f"{keyed.url}/no-such-path", headers=authorized, timeout=10).status_code == 404
    spec = httpx.get(f"{keyed.url}/openapi.json", headers=authorized, timeout=10).json()
    assert {"401", "403", "429"} <= set(spec["paths"]["/v1/chat/completions"]["post"]["responses"])


def test_a_rate_limited_key_gets_429_and_other_keys_do_not_slow_down(keyed: Server, keyring: Keyring) -> None:
    limited = {"Authorization": f"Bearer {keyring.secrets['limited']}"}
    other = {"Authorization": f"Bearer {keyring.secrets['storefront']}"}
    statuses = [
        httpx.get(f"{keyed.url}/v1/models", headers=limited, timeout=10).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 200]
    refused = httpx.get(f"{keyed.url}/v1/models", headers=limited, timeout=10)
    assert refused.status_code == 429
    assert error_of(refused)["code"] == "rate_limit_exceeded"
    assert error_of(refused)["type"] == "requests"
    # 3 a minute: the next request may go in 20 s.
    assert 1 <= int(refused.headers["retry-after"]) <= 20
    assert all(
        httpx.get(f"{keyed.url}/v1/models", headers=other, timeout=10).status_code == 200 for _ in range(10)
    )
    assert httpx.get(f"{keyed.url}/v1/models", headers=limited, timeout=10).status_code == 429


def test_the_official_client_sees_the_rate_limit(keyed: Server, keyring: Keyring) -> None:
    with openai.OpenAI(
        base_url=f"{keyed.url}/v1",
        api_key=keyring.secrets["limited-chat"],
        default_headers={"X-Data-Origin": "DE"},
        max_retries=0,
    ) as client:
        client.chat.completions.create(**CHAT)
        with pytest.raises(openai.RateLimitError) as raised:
            client.chat.completions.create(**CHAT)
    assert raised.value.code == "rate_limit_exceeded"
    assert int(raised.value.response.headers["retry-after"]) >= 1


def test_every_decision_records_the_identity(
    keyed: Server, keyring: Keyring, keyed_env: dict[str, str]
) -> None:
    cases = {
        "served": (keyring.secrets["storefront"], "DE"),
        "anonymous": (None, "DE"),
        "wrong": ("rllm_abcdef123456_" + "B" * 43, "DE"),
        "revoked": (keyring.secrets["revoked"], "DE"),
        "scope": (keyring.secrets["germany"], "FR"),
    }
    names = {}
    for name, (key, origin) in cases.items():
        # A self-declared label means nothing once callers are identified.
        response = post(keyed, key, origin=origin, **{"X-Client-Label": "forged"})
        names[response.headers["x-request-id"]] = name
    exported = run_cli("audit", "export", env=keyed_env, timeout=120)
    assert exported.returncode == 0, exported.stderr
    records = {
        names[r["request_id"]]: r
        for r in map(json.loads, exported.stdout.splitlines())
        if r["request_id"] in names
    }
    found = {name: (r["identity"], r["status"], r["reason"]) for name, r in records.items()}
    assert found["served"][:2] == (f"key:{keyring.id('storefront')}/eu-storefront", 200)
    assert found["anonymous"] == ("anonymous", 401, "invalid_api_key")
    assert found["wrong"] == ("key:abcdef123456", 401, "invalid_api_key")
    assert found["revoked"] == (f"key:{keyring.id('revoked')}", 401, "invalid_api_key")
    assert found["scope"] == (f"key:{keyring.id('germany')}/crm-de", 403, "origin_not_granted")
    assert records["scope"]["origins"] == "FR"
    assert "forged" not in exported.stdout


def test_refusals_are_counted_by_code(keyed: Server, keyring: Keyring) -> None:
    authorized = {"Authorization": f"Bearer {keyring.secrets['storefront']}"}
    name = "regional_llm:request_refused_total"
    before = metric(keyed, name, authorized, code="invalid_api_key")
    post(keyed, None)
    assert metric(keyed, name, authorized, code="invalid_api_key") == before + 1


def test_secrets_are_in_no_log_error_metric_or_record(
    keyed: Server, keyring: Keyring, keyed_env: dict[str, str]
) -> None:
    for name in ("storefront", "revoked", "germany"):
        post(keyed, keyring.secrets[name], origin="FR")
    authorized = {"Authorization": f"Bearer {keyring.secrets['storefront']}"}
    metrics = httpx.get(f"{keyed.url}/metrics", headers=authorized, timeout=10).text
    exported = run_cli("audit", "export", env=keyed_env, timeout=120).stdout
    stored = keyring.path.read_text()
    for name, secret in keyring.secrets.items():
        random_part = secret.split("_", 2)[2]
        for where, text in (("log", keyed.output()), ("metrics", metrics), ("audit", exported)):
            assert random_part not in text, (name, where)
        assert secret not in stored
    assert keyring.grants["storefront"].hash not in keyed.output()


def test_a_revoked_key_is_refused_without_a_restart(
    keyed_env: dict[str, str], config_root: ConfigRoot, tmp_path: Path
) -> None:
    path = tmp_path / "grants.yaml"
    created = run_cli(
        "keys", "create", "--keys-file", str(path), "--label", "crm", "--origins", "DE", env=keyed_env
    )
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    server = Server(["--region", "eu-test", "--api-keys-file", str(path)], keyed_env, tmp_path / "server.log")
    try:
        server.wait_ready()
        assert post(server, secret).status_code == 200
        key_id = secret.split("_")[1]
        revoked = run_cli("keys", "revoke", key_id, "--keys-file", str(path), env=keyed_env)
        assert revoked.returncode == 0, revoked.stderr
        response = post(server, secret)
        assert (response.status_code, error_of(response)["message"]) == (
            401,
            "This API key has been revoked.",
        )
        # A second key, created while the server runs, works at once.
        added = run_cli(
            "keys", "create", "--keys-file", str(path), "--label", "new", "--origins", "DE", env=keyed_env
        )
        assert post(server, added.stdout.strip()).status_code == 200
        # A broken edit keeps the grants in force and says why in the log, without the file's values.
        path.write_text(path.read_text().replace("origins:\n  - DE", "origins:\n  - ZZ", 1))
        assert post(server, added.stdout.strip()).status_code == 200
        server.wait_for_output(
            r"grants not reloaded, the previous ones stay in force: .*api_keys\[0\]\.origins\[0\]"
        )
    finally:
        server.stop()


# --- start-up ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.0.1", "::1", "localhost"])
def test_without_identities_a_loopback_address_is_served_open(host: str) -> None:
    authenticator = build_authenticator(ServeSettings(host=host))
    assert not authenticator.required


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.20.0.5", "llm.internal"])
def test_without_identities_another_address_needs_insecure_no_auth(host: str) -> None:
    with pytest.raises(CliError) as raised:
        serve_settings_from(argparse.Namespace(host=host))
    assert raised.value.status == 2
    assert f"setting host: {host} is not a loopback address and no caller identity is configured" in str(
        raised.value
    )
    assert not build_authenticator(ServeSettings(host=host, insecure_no_auth=True)).required
    # Only serving has that rule: other commands run where the image is configured to listen widely.
    assert settings_from(argparse.Namespace(host=host)).host == host


@pytest.fixture(scope="module")
def broken_files(tmp_path_factory: pytest.TempPathFactory, keyring: Keyring) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("broken")
    grants = folder / "broken.yaml"
    grants.write_text(keyring.path.read_text().replace("- EU", "- ZZ", 1))
    garbage = folder / "garbage.pem"
    garbage.write_text("not a certificate\n")
    return {"keys": keyring.path, "broken": grants, "garbage": garbage, "missing": folder / "missing.yaml"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--host", "0.0.0.0"], "setting host: 0.0.0.0 is not a loopback address and no caller identity"),
        (
            ["--host", "0.0.0.0", "--insecure-no-auth", "--api-keys-file", "{keys}"],
            "setting insecure_no_auth contradicts api_keys_file and ssl_ca_certs",
        ),
        (["--ssl-ca-certs", "{garbage}"], "setting ssl_ca_certs needs ssl_certfile"),
        (
            ["--ssl-certfile", "{garbage}", "--ssl-ca-certs", "{garbage}"],
            "setting ssl_ca_certs needs api_keys_file (REGIONAL_LLM_API_KEYS_FILE)",
        ),
        (
            ["--ssl-certfile", "{garbage}"],
            "setting ssl_certfile, ssl_keyfile or ssl_ca_certs: cannot load {garbage}",
        ),
        (["--api-keys-file", "{broken}"], "{broken}: api_keys[0].origins[0]: 'ZZ' is not an ISO 3166-1"),
        (["--api-keys-file", "{missing}"], "{missing}: cannot read file: No such file or directory"),
    ],
)
def test_a_start_that_would_be_unsafe_or_broken_stops_with_one_line(
    keyed_env: dict[str, str], broken_files: dict[str, Path], args: list[str], expected: str
) -> None:
    result = run_cli("serve", *(arg.format(**broken_files) for arg in args), env=keyed_env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("regional-llm: error: ")
    assert expected.format(**broken_files) in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_insecure_no_auth_serves_anyone_and_says_so(keyed_env: dict[str, str], tmp_path: Path) -> None:
    server = Server(
        ["--region", "eu-test", "--host", "0.0.0.0", "--insecure-no-auth"], keyed_env, tmp_path / "log"
    )
    try:
        server.wait_ready()
        assert post(server, None).status_code == 200
        server.wait_for_output(
            r"callers: not identified \(--insecure-no-auth\): anyone who can connect is served"
        )
    finally:
        server.stop()


class FailingAuthenticator(Authenticator):
    """Identification that breaks, with something secret in its message."""

    def identify(self, scope: Any) -> Caller:
        raise RuntimeError("grants unreadable near rllm_abcdef123456_secret")


def test_a_failure_to_identify_the_caller_refuses_the_request(
    config_root: ConfigRoot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = FailingEngine(1, RuntimeError("never reached"))

    async def go() -> tuple[ServingContext, list[httpx.Response]]:
        context = await start_context(config_root, engine, tmp_path, FailingAuthenticator())
        transport = httpx.ASGITransport(app=create_app(context))
        async with httpx.AsyncClient(transport=transport, base_url="http://regional-llm.test") as client:
            return context, [
                await client.post("/v1/chat/completions", json=CHAT, headers={"X-Data-Origin": "DE"}),
                await client.get("/v1/models"),
            ]

    context, responses = asyncio.run(go())
    for response in responses:
        assert (response.status_code, response.json()["error"]["code"]) == (500, "internal_error")
    assert "identifying the caller failed: RuntimeError" in caplog.text
    assert "rllm_" not in caplog.text
    context.auditor.writer.close()
