"""The audit trail of a real server: a record per request, refusals included; nothing lost to
SIGTERM, nothing completed lost to SIGKILL; 503 while the store is down; the CLI on the same store."""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.audit.conftest import POSTGRES_ADMIN
from tests.conftest import ConfigRoot
from tests.servers import Server, run_cli

CANARY_NAME = "Quirinus Zwackelmann"
CANARY_IBAN = "DE89 3704 0044 0532 0130 00"


def _post(url: str, body: dict[str, Any], origin: str | None = "DE", **headers: str) -> httpx.Response:
    sent = dict(headers)
    if origin is not None:
        sent["X-Data-Origin"] = origin
    return httpx.post(f"{url}/v1/chat/completions", json=body, headers=sent, timeout=60)


def _export(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    result = run_cli("audit", "export", *args, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def _chat(content: str, **extra: Any) -> dict[str, Any]:
    return {"model": "eu-tiny", "messages": [{"role": "user", "content": content}], "max_tokens": 4, **extra}


def test_every_request_leaves_one_record(server: Server, config_root: ConfigRoot) -> None:
    sent = {
        "ok": _post(
            server.url,
            _chat(f"Hallo, ich bin {CANARY_NAME}, IBAN {CANARY_IBAN}"),
            **{"X-Client-Label": "storefront-de"},
        ),
        "us": _post(server.url, _chat("hi"), origin="US"),
        "none": _post(server.url, _chat("hi"), origin=None),
        "card": _post(server.url, _chat(f"Ich bin {CANARY_NAME} und zahle mit 4111 1111 1111 1111")),
        "json": httpx.post(
            f"{server.url}/v1/chat/completions", content=b"{", timeout=30, headers={"X-Data-Origin": "DE"}
        ),
    }
    assert {name: r.status_code for name, r in sent.items()} == {
        "ok": 200,
        "us": 403,
        "none": 400,
        "card": 422,
        "json": 400,
    }
    names = {response.headers["x-request-id"]: name for name, response in sent.items()}
    with httpx.stream(
        "POST",
        f"{server.url}/v1/chat/completions",
        timeout=60,
        json=_chat(
            f"Stream für {CANARY_NAME}", stream=True, max_tokens=3, pii_context={"PERSON": [CANARY_NAME]}
        ),
        headers={"X-Data-Origin": "FR"},
    ) as response:
        assert "[DONE]" in response.read().decode()
        names[response.headers["x-request-id"]] = "stream"

    # Each response's X-Request-Id is its record's key.
    records = {names[r["request_id"]]: r for r in _export(config_root.env()) if r["request_id"] in names}
    assert set(records) == {"ok", "us", "none", "card", "json", "stream"}
    ok = records["ok"]
    assert (ok["decision"], ok["status"], ok["origins"], ok["identity"]) == (
        "served",
        200,
        "DE",
        "storefront-de",
    )
    assert ok["reason"] in ("stop", "length")
    assert ok["pii"] == {"IBAN_CODE": {"pseudonymize": 1}, "PERSON": {"pseudonymize": 1}}
    assert json.loads(ok["prompt"]) == [
        {"role": "user", "content": "Hallo, ich bin <PERSON_1>, IBAN <IBAN_CODE_1>"}
    ]
    assert ok["completion_tokens"] == 4
    assert ok["ttft_ms"] > 0
    assert ok["latency_ms"] >= ok["ttft_ms"]
    assert ok["build"] == "eu-tiny"
    assert (records["us"]["decision"], records["us"]["reason"]) == (
        "refused",
        "data_origin_mismatch",
    )
    assert records["us"]["origins"] == "US"
    assert (records["none"]["reason"], records["none"]["origins"]) == (
        "data_origin_missing",
        "",
    )
    card = records["card"]
    assert (card["status"], card["reason"]) == (422, "pii_blocked")
    assert card["pii"] == {"CREDIT_CARD": {"block": 1}, "PERSON": {"pseudonymize": 1}}
    assert records["json"]["reason"] == "invalid_json"
    assert records["stream"]["origins"] == "FR"
    assert records["stream"]["decision"] == "served"
    # No value of the caller's data is anywhere in the trail.
    rows = json.dumps(list(records.values()), ensure_ascii=False)
    for value in ("Quirinus", "Zwackelmann", "0532 0130", "4111 1111"):
        assert value not in rows

    verify = run_cli("audit", "verify", env=config_root.env(), timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.startswith("ok  sqlite:///")


def test_a_client_that_goes_away_is_recorded_as_aborted(server: Server, config_root: ConfigRoot) -> None:
    with httpx.stream(
        "POST",
        f"{server.url}/v1/chat/completions",
        timeout=60,
        json=_chat("hi", stream=True, max_tokens=900, seed=1),
        headers={"X-Data-Origin": "DE"},
    ) as response:
        request_id = response.headers["x-request-id"]
        next(response.iter_lines())
    for _ in range(100):
        records = [
            r for r in _export(config_root.env(), "--decision", "aborted") if r["request_id"] == request_id
        ]
        if records:
            break
        time.sleep(0.1)
    assert len(records) == 1
    assert records[0]["reason"] in ("client_disconnected", "abort")


def test_incident_and_export_formats(server: Server, config_root: ConfigRoot) -> None:
    _post(server.url, _chat(f"ich bin {CANARY_NAME}"), origin="AT")
    markdown = run_cli("audit", "incident", "--since", "1h", env=config_root.env(), timeout=120)
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith("# Incident report: regional-llm audit trail\n")
    assert "| AT |" in markdown.stdout
    assert "| PERSON |" in markdown.stdout
    facts = json.loads(
        run_cli(
            "audit", "incident", "--since", "1h", "--format", "json", env=config_root.env(), timeout=120
        ).stdout
    )
    assert facts["data_origins"]["AT"] >= 1
    assert facts["personal_data_categories"]["PERSON"] >= 1
    assert facts["model_builds"]
    csv_out = run_cli(
        "audit", "export", "--format", "csv", "--origin", "AT", env=config_root.env(), timeout=120
    )
    assert csv_out.stdout.splitlines()[0].startswith("record_id,time,request_id,region,")
    assert CANARY_NAME not in csv_out.stdout + markdown.stdout


@pytest.fixture
def postgres_server(
    tmp_path: Path, config_root: ConfigRoot
) -> Iterator[Callable[..., tuple[Server, dict[str, str]]]]:
    """Servers of region eu-test writing to a fresh PostgreSQL database as a role of their own."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except Exception:
        pytest.skip(
            "no PostgreSQL reachable at 127.0.0.1:5432: the PostgreSQL server audit tests did not run"
        )
    name = f"audit_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE ROLE "{name}" LOGIN')
    admin.execute(f'CREATE DATABASE "{name}" OWNER "{name}"')
    (tmp_path / "audit.key").write_text("ab" * 32 + "\n")
    env = config_root.env() | {
        "REGIONAL_LLM_AUDIT_URL": f"postgresql://{name}@127.0.0.1:5432/{name}",
        "REGIONAL_LLM_AUDIT_KEY_FILE": str(tmp_path / "audit.key"),
    }
    servers: list[Server] = []

    def start(*args: str) -> tuple[Server, dict[str, str]]:
        server = Server(["--region", "eu-test", *args], env, tmp_path / f"serve-{len(servers)}.log")
        servers.append(server)
        server.wait_ready()
        return server, env

    start.admin = admin  # type: ignore[attr-defined]
    start.role = name  # type: ignore[attr-defined]
    yield start
    for server in servers:
        server.stop(signal.SIGKILL)
    admin.execute(f'ALTER ROLE "{name}" LOGIN')
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'DROP ROLE IF EXISTS "{name}"')
    admin.close()


def _load(url: str, streams: bool) -> tuple[set[str], threading.Event]:
    """Clients sending requests one after another on eight threads until the returned event is set;
    the set fills with the ids of the requests whose whole response arrived."""
    completed: set[str] = set()
    stop = threading.Event()

    def client(worker: int) -> None:
        index = 0
        while not stop.is_set():
            index += 1
            try:
                # A response's X-Request-Id is its record's key.
                if streams:
                    with httpx.stream(
                        "POST",
                        f"{url}/v1/chat/completions",
                        timeout=30,
                        json=_chat("hi", stream=True, max_tokens=20, seed=index),
                        headers={"X-Data-Origin": "DE"},
                    ) as response:
                        if response.status_code == 200 and "data: [DONE]" in response.read().decode():
                            completed.add(response.headers["x-request-id"])
                else:
                    response = _post(url, _chat("hi", max_tokens=20, seed=index))
                    if response.status_code == 200:
                        completed.add(response.headers["x-request-id"])
            except httpx.HTTPError:
                return

    threads = [threading.Thread(target=client, args=(w,), daemon=True) for w in range(8)]
    for thread in threads:
        thread.start()
    return completed, stop


@pytest.mark.parametrize("streams", [False, True], ids=["json", "stream"])
def test_sigkill_under_load_keeps_every_completed_request(
    postgres_server: Callable[..., tuple[Server, dict[str, str]]], streams: bool
) -> None:
    server, env = postgres_server()
    completed, stop = _load(server.url, streams=streams)
    time.sleep(3)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(30)
    stop.set()
    time.sleep(0.5)
    done = set(completed)
    assert len(done) > 10
    recorded = {r["request_id"] for r in _export(env)}
    assert done <= recorded  # every response that arrived had its record committed first
    verify = run_cli("audit", "verify", env=env, timeout=120)
    assert verify.returncode == 0, verify.stdout


def test_sigterm_loses_nothing(postgres_server: Callable[..., tuple[Server, dict[str, str]]]) -> None:
    server, env = postgres_server()
    completed, stop = _load(server.url, streams=True)
    time.sleep(3)
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(60) == 0
    stop.set()
    time.sleep(0.5)
    records = _export(env)
    assert {r["request_id"] for r in records} >= completed
    assert len(completed) > 10
    # Requests cut by the shutdown (if any) are recorded too, as aborted: none went unrecorded.
    assert all(r["decision"] in ("served", "aborted") for r in records)
    assert run_cli("audit", "verify", env=env, timeout=120).returncode == 0


def test_requests_are_refused_while_the_store_is_down(
    postgres_server: Callable[..., tuple[Server, dict[str, str]]],
) -> None:
    start = postgres_server
    server, env = start()
    assert _post(server.url, _chat("hi")).status_code == 200
    admin, role = start.admin, start.role  # type: ignore[attr-defined]
    admin.execute(f'ALTER ROLE "{role}" NOLOGIN')
    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,))
    first = _post(server.url, _chat("hi"))
    assert first.status_code == 503  # generated, but withheld: it could not be recorded
    assert first.json()["error"]["code"] == "audit_unavailable"
    refused = _post(server.url, _chat("hi"))
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "audit_unavailable"
    assert refused.headers["retry-after"] == "5"
    assert httpx.get(f"{server.url}/ready", timeout=10).json()["audit"] == "unavailable"
    admin.execute(f'ALTER ROLE "{role}" LOGIN')
    for _ in range(50):
        if httpx.get(f"{server.url}/ready", timeout=10).status_code == 200:
            break
        time.sleep(0.2)
    assert _post(server.url, _chat("hi")).status_code == 200
    assert run_cli("audit", "verify", env=env, timeout=120).returncode == 0


def test_an_unreachable_store_stops_the_start(config_root: ConfigRoot, tmp_path: Path) -> None:
    (tmp_path / "key").write_text("cd" * 32)
    env = config_root.env() | {
        "REGIONAL_LLM_AUDIT_URL": "postgresql://nobody:secret@127.0.0.1:1/none",
        "REGIONAL_LLM_AUDIT_KEY_FILE": str(tmp_path / "key"),
    }
    result = run_cli("serve", "--region", "eu-test", "--port", "1", env=env, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == (
        "regional-llm: error: cannot open the audit store postgresql://nobody:***@127.0.0.1:1/none: "
        "OperationalError"
    )
    assert "secret" not in result.stderr


def test_a_shared_store_needs_a_configured_key(config_root: ConfigRoot) -> None:
    env = config_root.env() | {"REGIONAL_LLM_AUDIT_URL": "postgresql://x@127.0.0.1:5432/x"}
    result = run_cli("audit", "verify", env=env, timeout=60)
    assert result.returncode == 2
    assert "audit_key: a shared audit store needs the same key in every process" in result.stderr


def test_purge_by_the_regions_retention(config_root: ConfigRoot, server: Server) -> None:
    _post(server.url, _chat("hi"))
    result = run_cli("audit", "purge", "--region", "eu-test", env=config_root.env(), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "records older than 90 days deleted" in result.stdout
    assert run_cli("audit", "verify", env=config_root.env(), timeout=120).returncode == 0
    purges = _export(config_root.env(), "--decision", "purge")
    assert purges[-1]["reason"].startswith("retention 90 days: records before ")
