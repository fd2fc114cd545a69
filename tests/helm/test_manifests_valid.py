"""What `.ci/chart` checks, also in the test run: the rendered objects of every region against the
Kubernetes 1.37 schemas (kubernetes-validate --strict), and the values files against yamllint."""

from __future__ import annotations

import subprocess

import pytest

from tests.helm.chart import CHART, REGION_VALUES, REPO, helm_template, tool

REGIONS = sorted(REGION_VALUES)


def kubernetes_validate(manifests: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(tool("kubernetes-validate")), "--strict", "-k", "1.37", "--quiet", "-"],
        input=manifests,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("region", REGIONS)
def test_rendered_objects_are_valid_kubernetes(region: str) -> None:
    rendered = helm_template(region, "autoscaling.enabled=true", "privacy.existingSecret=pii")
    assert rendered.returncode == 0, rendered.stderr
    result = kubernetes_validate(rendered.stdout)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_invalid_object_is_caught() -> None:
    # affinity is passed through as given: a misspelt field reaches the Deployment.
    rendered = helm_template("eu-central-1", "affinity.nodeAfinity.x=1")
    assert rendered.returncode == 0, rendered.stderr
    result = kubernetes_validate(rendered.stdout)
    assert result.returncode != 0
    assert "nodeAfinity" in result.stdout + result.stderr


def test_values_files_pass_yamllint() -> None:
    files = [str(path) for path in sorted(CHART.glob("values*.yaml"))] + [str(CHART / "Chart.yaml")]
    result = subprocess.run(
        [str(tool("yamllint")), "--strict", "-c", str(REPO / ".yamllint"), *files],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
