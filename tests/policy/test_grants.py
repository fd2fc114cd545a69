"""The grants file: its model, one-line errors that never show key material, atomic writes (mode 600),
concurrent edits, key verification, and the `keys create | list | revoke` commands."""

from __future__ import annotations

import json
import os
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from inference.errors import ConfigError, Unauthenticated
from inference.policy.grants import (
    GrantIndex,
    GrantsFile,
    key_id_of,
    load_grants,
    new_api_key,
    save_grants,
    update_grants,
)
from tests.servers import run_cli

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_a_new_key_keeps_only_a_salted_hash_of_its_secret() -> None:
    grant, secret = new_api_key("eu-storefront", ["eu", "de"], ["eu-tiny"], rate=60)
    assert key_id_of(secret) == grant.id
    assert secret.startswith(f"rllm_{grant.id}_")
    assert len(secret) == len(f"rllm_{grant.id}_") + 43
    assert grant.origins == ("EU", "DE")
    assert secret not in grant.model_dump_json()
    assert grant.matches(secret)
    assert not grant.matches(secret[:-1] + ("x" if secret[-1] != "x" else "y"))
    other, other_secret = new_api_key("eu-storefront", ["EU"])
    # The same label, another salt and hash: nothing links two keys.
    assert (other.salt, other.hash) != (grant.salt, grant.hash)
    assert not grant.matches(other_secret)


def test_saved_files_are_private_and_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "grants.yaml"
    grants = GrantsFile(api_keys=(new_api_key("a", ["DE"])[0],))
    save_grants(path, grants)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    inode = path.stat().st_ino
    save_grants(path, grants.model_copy(update={"api_keys": (*grants.api_keys, new_api_key("b", ["NO"])[0])}))
    assert path.stat().st_ino != inode  # a new file renamed over the old one, never rewritten in place
    assert sorted(os.listdir(tmp_path)) == ["grants.yaml"]
    loaded = load_grants(path)
    assert [k.label for k in loaded.api_keys] == ["a", "b"]
    assert loaded.api_keys[1].origins == ("NO",)  # Norway stays a code in YAML 1.2
    assert loaded == load_grants(path)


def test_concurrent_edits_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "grants.yaml"

    def add(label: str) -> None:
        update_grants(
            path,
            lambda grants: grants.model_copy(
                update={"api_keys": (*grants.api_keys, new_api_key(label, ["DE"])[0])}
            ),
        )

    threads = [threading.Thread(target=add, args=(f"caller-{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(k.label for k in load_grants(path).api_keys) == sorted(f"caller-{i}" for i in range(8))
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def _broken(tmp_path: Path, change: dict[str, object]) -> str:
    grant = new_api_key("crm-de", ["DE"])[0].model_dump(mode="json")
    path = tmp_path / "grants.yaml"
    path.write_text(yaml.safe_dump({"api_keys": [{**grant, **change}]}))
    with pytest.raises(ConfigError) as raised:
        load_grants(path)
    return str(raised.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"origins": ["DE", "ZZ"]}, "api_keys[0].origins[1]: 'ZZ' is not an ISO 3166-1 alpha-2 country code"),
        ({"origins": ["UK"]}, "(did you mean 'GB'?)"),
        ({"origins": []}, "api_keys[0].origins: Tuple should have at least 1 item"),
        ({"label": "has space"}, "api_keys[0].label: String should match pattern"),
        ({"rate": 0}, "api_keys[0].rate: Input should be greater than or equal to 1 (got 0)"),
        ({"scopes": ["all"]}, "api_keys[0].scopes: unknown field"),
        ({"expires": "soon"}, "api_keys[0].expires: Input should be a valid datetime"),
    ],
)
def test_a_broken_file_is_one_line_naming_file_field_and_value(
    tmp_path: Path, change: dict[str, object], expected: str
) -> None:
    message = _broken(tmp_path, change)
    assert message.startswith(f"{tmp_path / 'grants.yaml'}: ")
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize("field", ["salt", "hash"])
def test_key_material_is_never_shown(tmp_path: Path, field: str) -> None:
    secretish = "Z" * (32 if field == "salt" else 64)
    message = _broken(tmp_path, {field: secretish})
    assert f"api_keys[0].{field}: String should match pattern" in message
    assert secretish not in message


def test_duplicate_ids_and_names_are_refused(tmp_path: Path) -> None:
    grant = new_api_key("a", ["DE"])[0].model_dump(mode="json")
    path = tmp_path / "grants.yaml"
    path.write_text(yaml.safe_dump({"api_keys": [grant, grant]}))
    with pytest.raises(ConfigError, match=r"api_keys: key id '[a-z0-9]+' appears twice"):
        load_grants(path)
    cert = {"name": "chatbot.us.example", "origins": ["US"]}
    path.write_text(yaml.safe_dump({"client_certificates": [cert, cert]}))
    with pytest.raises(ConfigError, match=r"certificate name 'chatbot\.us\.example' appears twice"):
        load_grants(path)


def test_an_empty_file_grants_nothing(tmp_path: Path) -> None:
    path = tmp_path / "grants.yaml"
    path.write_text("")
    assert load_grants(path) == GrantsFile()


def test_verification_refuses_wrong_unknown_revoked_and_expired_keys() -> None:
    good, good_secret = new_api_key("good", ["DE"])
    revoked, revoked_secret = new_api_key("revoked", ["DE"])
    expired, expired_secret = new_api_key("expired", ["DE"])
    index = GrantIndex(
        GrantsFile(
            api_keys=(
                good,
                revoked.model_copy(update={"revoked": NOW - timedelta(seconds=1)}),
                expired.model_copy(update={"expires": NOW}),
            )
        )
    )
    assert index.verify_key(good_secret, NOW).id == good.id

    def refusal(token: str) -> Unauthenticated:
        with pytest.raises(Unauthenticated) as raised:
            index.verify_key(token, NOW)
        return raised.value

    assert refusal(revoked_secret).message == "This API key has been revoked."
    assert refusal(expired_secret).message == "This API key expired on 2026-11-27T12:00:00Z."
    wrong = refusal(good_secret[:-2] + "__")
    assert (wrong.message, wrong.identity) == ("Incorrect API key provided.", f"key:{good.id}")
    unknown = refusal("rllm_ffffffffffff_" + "A" * 43)
    assert unknown.identity == "key:ffffffffffff"
    assert refusal("sk-proj-abc").identity == "anonymous"
    # A key revoked in the future still works until then.
    later = GrantIndex(GrantsFile(api_keys=(good.model_copy(update={"revoked": NOW + timedelta(days=1)}),)))
    assert later.verify_key(good_secret, NOW).id == good.id


def test_certificate_grants_match_in_file_order_until_they_expire() -> None:
    grants = GrantsFile.model_validate(
        {
            "client_certificates": [
                {"name": "crm-sync", "origins": ["FR"], "expires": "2026-01-01"},
                {"name": "crm.internal", "origins": ["DE"]},
                {"name": "spiffe://eu/ns/crm/sa/sync", "origins": ["IT"]},
            ]
        }
    )
    index = GrantIndex(grants)
    found = index.certificate(("crm-sync", "crm.internal"), NOW)
    assert found is not None
    assert found.origins == ("DE",)
    found = index.certificate(("other", "spiffe://eu/ns/crm/sa/sync"), NOW)
    assert found is not None
    assert found.origins == ("IT",)
    assert index.certificate(("intruder.example",), NOW) is None


# --- the commands ------------------------------------------------------------------------------------


def keys(*args: str) -> tuple[int, str, str]:
    result = run_cli(
        "keys", *args, env={k: v for k, v in os.environ.items() if not k.startswith("REGIONAL_LLM")}
    )
    return result.returncode, result.stdout, result.stderr


def test_create_prints_the_secret_once_and_list_never_shows_it(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "grants.yaml"
    status, out, err = keys(
        "create", "--keys-file", str(path), "--label", "eu-storefront", "--origins", "eu",
        "--builds", "eu-smollm2-135m-demo", "--rate", "600", "--expires", "2099-12-31",
    )  # fmt: skip
    assert status == 0, err
    secret = out.strip()
    assert out == secret + "\n"  # standard output carries the secret and nothing else
    key_id = key_id_of(secret)
    assert key_id is not None
    assert f"created API key {key_id} (eu-storefront)" in err
    assert secret not in err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret not in path.read_text()
    grant = load_grants(path).api_keys[0]
    assert grant.matches(secret)
    assert (grant.origins, grant.builds, grant.rate) == (("EU",), ("eu-smollm2-135m-demo",), 600)
    assert grant.expires == datetime(2099, 12, 31, tzinfo=UTC)

    status, table, err = keys("list", "--keys-file", str(path))
    assert status == 0, err
    assert table.splitlines()[0].split() == [
        "KIND",
        "ID",
        "LABEL",
        "ORIGINS",
        "BUILDS",
        "RATE/MIN",
        "EXPIRES",
        "STATUS",
    ]
    assert table.splitlines()[1].split() == [
        "key", key_id, "eu-storefront", "EU", "eu-smollm2-135m-demo", "600", "2099-12-31T00:00:00Z", "active"
    ]  # fmt: skip
    status, listed, _ = keys("list", "--keys-file", str(path), "--format", "json")
    (row,) = [json.loads(line) for line in listed.splitlines()]
    assert row["id"] == key_id
    assert row["status"] == "active"
    for text in (table, listed):
        assert secret.split("_", 2)[2] not in text
        assert grant.hash not in text
        assert grant.salt not in text


def test_revoke_marks_the_key_and_says_so_once(tmp_path: Path) -> None:
    path = tmp_path / "grants.yaml"
    secret = keys("create", "--keys-file", str(path), "--label", "crm", "--origins", "DE")[1].strip()
    key_id = str(key_id_of(secret))
    status, out, err = keys("revoke", key_id, "--keys-file", str(path))
    assert status == 0, err
    assert out.startswith(f"API key {key_id} revoked in {path} at ")
    assert load_grants(path).api_keys[0].revoked is not None
    status, out, _ = keys("revoke", key_id, "--keys-file", str(path))
    assert (status, out.startswith(f"API key {key_id} was already revoked on ")) == (0, True)
    assert "revoked 20" in keys("list", "--keys-file", str(path))[1]
    status, _, err = keys("revoke", "nosuchkey", "--keys-file", str(path))
    assert status == 2
    assert (
        err == f"regional-llm: error: {path}: no API key has id 'nosuchkey' (see: regional-llm keys list)\n"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--origins", "ZZ"), "argument --origins: 'ZZ' is not an ISO 3166-1 alpha-2 country code"),
        (
            ("--origins", "DE", "--expires", "2001-01-01"),
            "argument --expires: '2001-01-01' is not in the future",
        ),
        (("--origins", "DE", "--expires", "next week"), "argument --expires: 'next week' is not a date"),
        (("--origins", "DE", "--builds", "gpt-4o"), "--builds: no build manifest has id 'gpt-4o'"),
        (("--origins", "DE", "--rate", "0"), "--rate: Input should be greater than or equal to 1"),
    ],
)
def test_bad_usage_is_exit_2_and_writes_nothing(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    path = tmp_path / "grants.yaml"
    status, out, err = keys("create", "--keys-file", str(path), "--label", "x", *args)
    assert (status, out) == (2, "")
    assert expected in err
    assert not path.exists()


def test_a_broken_file_or_no_file_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "grants.yaml"
    path.write_text("api_keys:\n  - id: abc\n")
    for command in (("list",), ("revoke", "abc"), ("create", "--label", "x", "--origins", "DE")):
        status, _, err = keys(*command, "--keys-file", str(path))
        assert status == 2
        assert err.startswith(f"regional-llm: error: {path}: api_keys[0].id: String should match pattern")
        assert err.count("\n") == 1
    status, _, err = keys("list")
    assert (status, err) == (
        2,
        "regional-llm: error: no grants file: pass --keys-file or set REGIONAL_LLM_API_KEYS_FILE\n",
    )


def test_help_shows_examples() -> None:
    result = run_cli("keys", "create", "--help", env=dict(os.environ))
    assert result.returncode == 0
    assert "regional-llm keys create --label eu-storefront --origins EU" in result.stdout
    assert "shown" not in result.stderr
