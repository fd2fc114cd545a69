"""Digest verification: a changed, missing or extra file stops the build from loading."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest

from inference.builds.verify import verify_build
from inference.catalog import LoadedBuild, load_catalog
from inference.errors import BuildVerificationError
from tests.conftest import ConfigRoot
from tests.servers import run_cli


def _loaded(config: ConfigRoot, build_id: str = "eu-tiny") -> LoadedBuild:
    catalog = load_catalog(config.regions_dir, config.models_dir)
    assert catalog.errors == []
    return catalog.builds[build_id]


def _flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_intact_build_verifies(fresh_config: ConfigRoot) -> None:
    assert verify_build(_loaded(fresh_config), fresh_config.cache_dir) == fresh_config.model_dir


@pytest.mark.parametrize(
    "name", ["model.safetensors", "tokenizer.json", "chat_template.jinja", "config.json"]
)
def test_one_changed_byte_is_refused_naming_the_file(fresh_config: ConfigRoot, name: str) -> None:
    _flip_one_byte(fresh_config.model_dir / name)
    with pytest.raises(
        BuildVerificationError,
        match=f"build eu-tiny: file '{re.escape(name)}' has SHA-256 [0-9a-f]{{64}}, "
        "but the manifest pins [0-9a-f]{64}; refusing to load a changed build",
    ):
        verify_build(_loaded(fresh_config), fresh_config.cache_dir)


def test_missing_file_is_refused(fresh_config: ConfigRoot) -> None:
    (fresh_config.model_dir / "tokenizer_config.json").unlink()
    with pytest.raises(BuildVerificationError, match=r"file 'tokenizer_config\.json' is missing"):
        verify_build(_loaded(fresh_config), fresh_config.cache_dir)


def test_unlisted_file_is_refused(fresh_config: ConfigRoot) -> None:
    # An extra shard or adapter dropped beside the pinned files could change what gets loaded.
    (fresh_config.model_dir / "adapter").mkdir()
    (fresh_config.model_dir / "adapter" / "adapter_model.safetensors").write_bytes(b"x")
    with pytest.raises(
        BuildVerificationError, match=r"file 'adapter/adapter_model\.safetensors' .* is not pinned"
    ):
        verify_build(_loaded(fresh_config), fresh_config.cache_dir)


def test_build_digest_is_the_sha256_of_a_sha256sum_listing(config_root: ConfigRoot) -> None:
    build = _loaded(config_root).build
    listing = subprocess.run(
        ["sha256sum", *sorted(p.name for p in config_root.model_dir.iterdir())],
        cwd=config_root.model_dir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert build.digest == hashlib.sha256(listing.encode()).hexdigest()
    assert build.reference == f"eu-tiny@sha256:{build.digest}"


def test_models_verify_cli(fresh_config: ConfigRoot) -> None:
    ok = run_cli("models", "verify", "eu-tiny", env=fresh_config.env(), timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ok      eu-tiny@sha256:")
    _flip_one_byte(fresh_config.model_dir / "model.safetensors")
    bad = run_cli("models", "verify", env=fresh_config.env(), timeout=60)
    assert bad.returncode == 1
    lines = bad.stdout.strip().splitlines()
    assert len(lines) == 2  # both builds share the folder: both fail, each on its own line
    assert all(
        line.startswith("FAILED  ") and "file 'model.safetensors' has SHA-256" in line for line in lines
    )


def test_models_hash_prints_a_files_section(config_root: ConfigRoot) -> None:
    result = run_cli("models", "hash", str(config_root.model_dir), env=config_root.env(), timeout=60)
    assert result.returncode == 0
    expected = hashlib.sha256((config_root.model_dir / "model.safetensors").read_bytes()).hexdigest()
    assert f"  - path: model.safetensors\n    sha256: {expected}\n" in result.stdout
    assert result.stdout.startswith("files:\n")


def test_serve_with_a_tampered_weight_file_does_not_start(fresh_config: ConfigRoot) -> None:
    _flip_one_byte(fresh_config.model_dir / "model.safetensors")
    result = run_cli("serve", "--region", "eu-test", "--port", "1", env=fresh_config.env(), timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("regional-llm: error: ")
    assert "build eu-tiny: file 'model.safetensors' has SHA-256" in lines[0]
    assert "refusing to load a changed build" in lines[0]
