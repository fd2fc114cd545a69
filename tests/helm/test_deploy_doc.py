"""docs/deploy.md, "Deploy a region": what it tells a platform engineer matches the chart."""

from __future__ import annotations

import re

from tests.helm.chart import CHART, REGION_VALUES, REPO, helm

SECTION = REPO.joinpath("docs", "deploy.md").read_text().split("# Deploy a region\n", 1)[1]


def test_names_the_region_values_files() -> None:
    for path in REGION_VALUES.values():
        assert f"`{path.name}`" in SECTION or f"helm/regional-llm/{path.name}" in SECTION


def test_its_install_commands_name_the_objects_the_chart_makes() -> None:
    values = REGION_VALUES["eu-central-1"]
    result = helm("install", "llm-eu", str(CHART), "-n", "llm-eu", "--dry-run=client", "-f", str(values))
    assert result.returncode == 0, result.stderr
    assert "kind: Deployment\nmetadata:\n  name: llm-eu-regional-llm\n" in result.stdout
    assert "deployment/llm-eu-regional-llm" in SECTION
    url = re.search(r"http://llm-eu-regional-llm\.llm-eu\.svc:8000/v1", result.stdout)
    assert url is not None
    assert f"`{url.group(0)}`" in SECTION


def test_lists_the_settings_the_chart_sets() -> None:
    values = REGION_VALUES["eu-central-1"]
    result = helm(
        "template",
        "llm-eu",
        str(CHART),
        "-f",
        str(values),
        "--set",
        "privacy.existingSecret=pii",
        "--set",
        "build=eu-smollm2-135m-demo",
    )
    assert result.returncode == 0, result.stderr
    rendered = set(re.findall(r"name: REGIONAL_LLM_([A-Z_]+)", result.stdout))
    assert "BUILD" in rendered
    listed = set(
        re.findall(r"`(?:REGIONAL_LLM_)?([A-Z_]+)(?:=[a-z]+)?`", SECTION.split("The chart sets only")[1])
    )
    assert rendered <= listed
