"""Broken region policies and build manifests: each gives one clear line naming file, field and value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inference.catalog import load_catalog
from tests.conftest import ConfigRoot
from tests.servers import run_cli

REPO = Path(__file__).resolve().parent.parent


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


REGION_CASES = [
    # (old text, new text, expected field, expected fragments)
    (
        "accepted_origins:",
        "acepted_origins:",
        "acepted_origins",
        ["unknown field (did you mean 'accepted_origins'?)"],
    ),
    ("[EU, EEA, AT,", "[EU, EEA, XX,", "accepted_origins[2]", ["'XX' is not an ISO 3166-1", "got 'XX'"]),
    ("[EU, EEA, AT,", "[EU, EEA, UK,", "accepted_origins[2]", ["did you mean 'GB'?"]),
    ("jurisdiction: EU", "jurisdiction: XY", "jurisdiction", ["'XY' is not an ISO 3166-1"]),
    ("id: eu-test", "id: eu-other", "id", ["'eu-other' must equal the file name", "'eu-test'"]),
    ("id: eu-test", "id: EU Test", "id", ["should match pattern", "got 'EU Test'"]),
    ("builds: [eu-tiny]", "builds: [us-tiny]", "builds[0]", ["'us-tiny' is a US build", "only EU builds"]),
    ("builds: [eu-tiny]", "builds: [nope]", "builds[0]", ["no model build manifest has id 'nope'"]),
    ("builds: [eu-tiny]", "builds: []", "builds", ["at least 1 item"]),
    (
        "builds: [eu-tiny]",
        "builds: [eu-tiny]\ndefault_build: nope",
        "default_build",
        ["must be one of builds"],
    ),
    (
        "max_request_bytes: 65536",
        "max_request_bytes: 10",
        "limits.max_request_bytes",
        ["greater than or equal"],
    ),
    ("max_request_bytes: 65536", "max_request_bytes: lots", "limits.max_request_bytes", ["got 'lots'"]),
    ("builds: [eu-tiny]", "builds: [eu-tiny", None, ["line ", "column ", "invalid YAML"]),
    ("id: eu-test", "id: eu-test\n  bad: indent", None, ["invalid YAML"]),
]


@pytest.mark.parametrize(("old", "new", "field", "fragments"), REGION_CASES)
def test_broken_region_file_gives_one_clear_line(
    fresh_config: ConfigRoot, old: str, new: str, field: str | None, fragments: list[str]
) -> None:
    file = fresh_config.regions_dir / "eu-test.yaml"
    _edit(file, old, new)
    catalog = load_catalog(fresh_config.regions_dir, fresh_config.models_dir)
    assert len(catalog.errors) == 1, catalog.errors
    error = catalog.errors[0]
    line = str(error)
    assert "\n" not in line
    assert error.file.endswith("regions/eu-test.yaml")
    assert error.field == field
    for fragment in fragments:
        assert fragment in line
    assert "eu-test" not in catalog.regions
    assert "us-test" in catalog.regions  # the other, valid region still loads


MANIFEST_CASES = [
    ("context_length: 1024", "context_length: 8", "context_length", ["greater than or equal to 16", "got 8"]),
    ("context_length: 1024\n", "", "context_length", ["required field is missing"]),
    (
        "default_max_tokens: 24",
        "default_max_tokens: 4096",
        "default_max_tokens",
        ["smaller than context_length"],
    ),
    ("chat_template: chat_template.jinja", "chat_template: other.jinja", "chat_template", ["digest-pinned"]),
    (
        "chat_template: chat_template.jinja",
        "chat_template: ../t.jinja",
        "chat_template",
        ["relative path inside"],
    ),
    ("  - path: config.json", "  - path: /etc/config.json", "files[1].path", ["relative path inside"]),
    ("  - path: config.json", "  - path: chat_template.jinja", "files", ["listed more than once"]),
    ("kind: folder", "kind: http", "source", ["does not match any of the expected tags"]),
    (
        "jurisdiction: EU",
        "jurisdiction: US",
        "jurisdiction",
        ["'US' does not match the folder it is in ('eu')"],
    ),
    ("dtype: float32", "dtype: float8", "engine.transformers.dtype", ["'float32', 'bfloat16' or 'float16'"]),
    ("aliases: [assistant]", "aliases: [eu-tiny]", "aliases", ["must not repeat the build id"]),
    ("description:", "descripton:", "descripton", ["unknown field"]),
]


@pytest.mark.parametrize(("old", "new", "field", "fragments"), MANIFEST_CASES)
def test_broken_manifest_gives_one_clear_line(
    fresh_config: ConfigRoot, old: str, new: str, field: str, fragments: list[str]
) -> None:
    file = fresh_config.models_dir / "eu" / "tiny.yaml"
    _edit(file, old, new)
    catalog = load_catalog(fresh_config.regions_dir, fresh_config.models_dir)
    manifest_errors = [e for e in catalog.errors if e.file.endswith("models/eu/tiny.yaml")]
    assert len(manifest_errors) == 1, catalog.errors
    error = manifest_errors[0]
    assert error.field == field
    assert "\n" not in str(error)
    for fragment in fragments:
        assert fragment in str(error)


def test_build_names_must_not_clash(fresh_config: ConfigRoot) -> None:
    _edit(fresh_config.models_dir / "us" / "tiny.yaml", "aliases: [assistant]", "aliases: [eu-tiny]")
    errors = load_catalog(fresh_config.regions_dir, fresh_config.models_dir).errors
    assert str(errors[0]).endswith(
        "models/us/tiny.yaml: id: 'us-tiny' or one of its aliases is also used by "
        f"{fresh_config.models_dir / 'eu' / 'tiny.yaml'}"
    )


def test_the_same_alias_may_serve_in_each_jurisdiction(config_root: ConfigRoot) -> None:
    catalog = load_catalog(config_root.regions_dir, config_root.models_dir)
    assert catalog.errors == []
    assert (
        catalog.builds["eu-tiny"].build.aliases == catalog.builds["us-tiny"].build.aliases == ("assistant",)
    )


def test_bad_sha256_names_the_file_entry_and_value(fresh_config: ConfigRoot) -> None:
    file = fresh_config.models_dir / "eu" / "tiny.yaml"
    text = file.read_text()
    digest = re.findall(r"sha256: ([0-9a-f]{64})", text)[3]
    file.write_text(text.replace(digest, digest[:20].upper()))
    error = load_catalog(fresh_config.regions_dir, fresh_config.models_dir).errors[0]
    assert error.field == "files[3].sha256"
    assert f"got '{digest[:20].upper()}'" in str(error)


def test_region_depending_on_a_broken_manifest_is_refused_too(fresh_config: ConfigRoot) -> None:
    _edit(fresh_config.models_dir / "eu" / "tiny.yaml", "context_length: 1024", "context_length: x")
    errors = load_catalog(fresh_config.regions_dir, fresh_config.models_dir).errors
    assert [e.file.rsplit("/", 2)[-2:] for e in errors] == [["eu", "tiny.yaml"], ["regions", "eu-test.yaml"]]


def test_empty_and_non_mapping_files(fresh_config: ConfigRoot) -> None:
    (fresh_config.regions_dir / "eu-test.yaml").write_text("")
    (fresh_config.regions_dir / "us-test.yaml").write_text("- a\n- b\n")
    messages = sorted(str(e) for e in load_catalog(fresh_config.regions_dir, fresh_config.models_dir).errors)
    assert messages[0].endswith("eu-test.yaml: file is empty")
    assert messages[1].endswith("us-test.yaml: expected a mapping of fields at the top level, got list")


def test_norway_is_a_country_not_a_boolean(config_root: ConfigRoot) -> None:
    # YAML 1.1 reads a bare NO as false; the loader must not.
    catalog = load_catalog(config_root.regions_dir, config_root.models_dir)
    assert "NO" in catalog.regions["eu-test"].policy.accepted_origins


def test_shipped_regions_and_builds_are_consistent() -> None:
    catalog = load_catalog(REPO / "regions", REPO / "models")
    assert catalog.errors == []
    eu = catalog.regions["eu-central-1"].policy
    us = catalog.regions["us-east-1"].policy
    assert eu.jurisdiction == "EU"
    assert {"EU", "EEA", "DE", "FR", "NO", "IS", "LI"} <= eu.accepted
    assert len(eu.accepted - {"EU", "EEA"}) == 30  # 27 EU + 3 EEA member states
    assert "US" not in eu.accepted
    assert "GB" not in eu.accepted
    assert us.accepted >= {"US"}
    assert not us.accepted & eu.accepted
    assert catalog.builds[eu.served_build].build.jurisdiction == "EU"
    assert catalog.builds[us.served_build].build.jurisdiction == "US"


def test_policy_check_cli_reports_every_broken_file(fresh_config: ConfigRoot) -> None:
    _edit(fresh_config.regions_dir / "eu-test.yaml", "[EU, EEA, AT,", "[EU, EEA, XX,")
    _edit(fresh_config.regions_dir / "us-test.yaml", "jurisdiction: US", "jurisdiction: Mars")
    result = run_cli("policy", "check", env=fresh_config.env(), timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert "eu-test.yaml: accepted_origins[2]: 'XX'" in lines[0]
    assert "us-test.yaml: jurisdiction: 'MARS' is not" in lines[1]
    assert "Traceback" not in result.stderr


def test_policy_check_cli_on_the_shipped_files() -> None:
    result = run_cli(
        "policy",
        "check",
        "--regions-dir",
        str(REPO / "regions"),
        "--models-dir",
        str(REPO / "models"),
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "region eu-central-1 (EU), 32 accepted origins" in result.stdout
    assert "2 regions and 2 builds are consistent" in result.stdout
    # The shipped regions keep hashes of the texts, PII-free whatever the detector misses.
    assert "audit text hashed, origin evidence flag" in result.stdout
    assert "warn" not in result.stdout


def test_policy_check_says_what_an_anonymized_trail_risks(config_root: ConfigRoot) -> None:
    result = run_cli("policy", "check", env=config_root.env(), timeout=60)
    assert result.returncode == 0, result.stderr
    (warning,) = [line for line in result.stdout.splitlines() if line.startswith("warn")]
    assert "eu-test.yaml: audit.text: anonymized" in warning
    assert "misses is stored in the trail in clear" in warning


def test_a_region_without_an_audit_section_keeps_hashes() -> None:
    from inference.policy.region import RegionPolicy

    region = RegionPolicy.model_validate(
        {"id": "eu-x", "jurisdiction": "EU", "accepted_origins": ["DE"], "builds": ["b"]}
    )
    assert region.audit.text == "hashed"
    assert region.privacy.origin_evidence == "flag"


def test_serve_with_a_broken_region_file_stops_with_one_line(fresh_config: ConfigRoot) -> None:
    _edit(fresh_config.regions_dir / "eu-test.yaml", "max_request_bytes: 65536", "max_request_bytes: -5")
    result = run_cli("serve", "--region", "eu-test", "--port", "1", env=fresh_config.env(), timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"regional-llm: error: {fresh_config.regions_dir / 'eu-test.yaml'}: limits.max_request_bytes: "
        "Input should be greater than or equal to 1024 (got -5)"
    ]


def test_serve_with_an_unknown_region(config_root: ConfigRoot) -> None:
    result = run_cli("serve", "--region", "mars-1", env=config_root.env(), timeout=60)
    assert result.returncode == 2
    assert "no region policy 'mars-1' (known regions: eu-test, us-test)" in result.stderr


def test_serve_refuses_a_build_of_another_region(config_root: ConfigRoot) -> None:
    result = run_cli("serve", "--region", "eu-test", "--build", "us-tiny", env=config_root.env(), timeout=60)
    assert result.returncode == 2
    assert "region eu-test may not serve build 'us-tiny' (it may serve: eu-tiny)" in result.stderr


def test_bad_setting_from_the_environment(config_root: ConfigRoot) -> None:
    env = config_root.env() | {"REGIONAL_LLM_THREADS": "many"}
    result = run_cli("serve", env=env, timeout=60)
    assert result.returncode == 2
    assert "setting threads (flag --threads or REGIONAL_LLM_THREADS)" in result.stderr
    assert "got 'many'" in result.stderr
