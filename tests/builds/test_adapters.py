"""LoRA adapter builds: manifests of their own, pinned and verified like weights, cross-checked against
their base build and the regions that list them. The vLLM tests serve them (make test-vllm)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inference.catalog import load_catalog
from tests.conftest import ConfigRoot
from tests.servers import cli_env, run_cli


@pytest.fixture
def lora_copy(lora_config: ConfigRoot, tmp_path: Path) -> ConfigRoot:
    """A copy of the adapter configuration (its YAML files) that a test may break."""
    shutil.copytree(lora_config.root, tmp_path / "conf")
    return ConfigRoot(tmp_path / "conf", lora_config.model_dir, tmp_path / "cache")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_adapters_are_served_beside_their_base_build(lora_config: ConfigRoot) -> None:
    catalog = load_catalog(lora_config.regions_dir, lora_config.models_dir)
    assert catalog.errors == []
    assert sorted(catalog.adapters) == ["eu-tiny-lora", "us-tiny-lora"]
    region = catalog.regions["eu-test"]
    base = catalog.build_for(region, None)
    assert base.build.id == "eu-tiny"
    assert [a.build.id for a in catalog.adapters_for(region, base.build)] == ["eu-tiny-lora"]
    assert catalog.adapters["eu-tiny-lora"].build.digest != base.build.digest


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "models/eu/tiny-lora.yaml",
            "base: eu-tiny",
            "base: nope",
            "base: no model build manifest has id 'nope'",
        ),
        ("models/eu/tiny-lora.yaml", "base: eu-tiny", "base: us-tiny", "base: 'us-tiny' is a US build"),
        (
            "models/eu/tiny-lora.yaml",
            "kind: lora-adapter",
            "kind: lora",
            "kind: must be one of model, lora-adapter (got 'lora')",
        ),
        ("models/eu/tiny-lora.yaml", "base: eu-tiny", "bas: eu-tiny", "unknown field (did you mean 'base'?)"),
        (
            "regions/eu-test.yaml",
            "builds: [eu-tiny, eu-tiny-lora]",
            "builds: [eu-tiny-lora]",
            "adapter 'eu-tiny-lora' needs its base build 'eu-tiny' listed in builds too",
        ),
        (
            "regions/eu-test.yaml",
            "builds: [eu-tiny, eu-tiny-lora]",
            "builds: [eu-tiny, eu-tiny-lora]\ndefault_build: eu-tiny-lora",
            "default_build: 'eu-tiny-lora' is a LoRA adapter; the served build must be a model",
        ),
    ],
)
def test_broken_adapter_setups_give_one_clear_line(
    lora_copy: ConfigRoot, file: str, old: str, new: str, expected: str
) -> None:
    _edit(lora_copy.root / file, old, new)
    catalog = load_catalog(lora_copy.regions_dir, lora_copy.models_dir)
    messages = [str(e) for e in catalog.errors]
    assert any(expected in m for m in messages), messages
    result = run_cli("policy", "check", env=lora_copy.env(), timeout=60)
    assert result.returncode == 2
    assert expected in result.stderr


def test_an_adapter_is_not_chosen_as_the_served_build(lora_config: ConfigRoot) -> None:
    result = run_cli(
        "serve", "--region", "eu-test", "--build", "eu-tiny-lora", env=lora_config.env(), timeout=60
    )
    assert result.returncode == 2
    assert (
        "'eu-tiny-lora' is a LoRA adapter build: it is served beside its base build eu-tiny" in result.stderr
    )


def test_the_transformers_engine_refuses_a_region_with_adapters(lora_config: ConfigRoot) -> None:
    result = run_cli(
        "serve", "--region", "eu-test", "--engine", "transformers", env=lora_config.env(), timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert "lists LoRA adapter builds on eu-tiny (eu-tiny-lora)" in result.stderr
    assert "the transformers engine serves no adapters: use --engine vllm" in result.stderr


def test_without_vllm_installed_the_vllm_engine_says_what_to_install(config_root: ConfigRoot) -> None:
    pytest.importorskip("transformers")
    try:
        import vllm  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("vLLM is installed in this environment")
    result = run_cli("serve", "--region", "eu-test", "--engine", "vllm", env=config_root.env(), timeout=120)
    assert result.returncode == 2
    assert (
        "engine 'vllm' needs 'vllm', which is not installed: pip install 'regional-llm[vllm]'"
        in result.stderr
    )


def test_models_list_verify_and_policy_check_include_adapters(lora_config: ConfigRoot) -> None:
    listed = run_cli("models", "list", "--region", "eu-test", env=lora_config.env(), timeout=60)
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines()[1:]}
    assert sorted(rows) == ["eu-tiny", "eu-tiny-lora"]
    assert rows["eu-tiny-lora"][1] == "lora:eu-tiny"
    assert rows["eu-tiny"][1] == "model"
    verified = run_cli("models", "verify", "eu-tiny-lora", env=lora_config.env(), timeout=60)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("ok      eu-tiny-lora@sha256:")
    checked = run_cli("policy", "check", env=lora_config.env(), timeout=60)
    assert "2 regions and 4 builds (2 of them LoRA adapters) are consistent" in checked.stdout


def test_a_changed_adapter_file_fails_verification(lora_config: ConfigRoot, tmp_path: Path) -> None:
    adapter = tmp_path / "adapter"
    shutil.copytree(lora_config.root.parent / "eu-adapter", adapter)
    conf = tmp_path / "conf"
    shutil.copytree(lora_config.root, conf)
    manifest = conf / "models" / "eu" / "tiny-lora.yaml"
    _edit(manifest, str(lora_config.root.parent / "eu-adapter"), str(adapter))
    weights = adapter / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1] + b"\x00")
    env = cli_env(conf / "regions", conf / "models", tmp_path / "cache")
    verified = run_cli("models", "verify", "eu-tiny-lora", env=env, timeout=60)
    assert verified.returncode == 1
    assert "file 'adapter_model.safetensors' has SHA-256" in verified.stdout
    served = run_cli("serve", "--region", "eu-test", "--engine", "vllm", env=env, timeout=120)
    assert served.returncode == 1
    assert "build eu-tiny-lora: file 'adapter_model.safetensors' has SHA-256" in served.stderr
