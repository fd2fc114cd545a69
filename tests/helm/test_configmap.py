"""templates/configmap.yaml: the region's policy and its jurisdiction's build manifests, verbatim, and no
other region's or jurisdiction's file."""

from __future__ import annotations

from pathlib import Path

import pytest

from inference.catalog import load_catalog
from tests.helm.chart import (
    FULLNAME,
    REGION_VALUES,
    REPO,
    Manifest,
    jurisdiction_manifests,
    region_policy,
    render,
)

REGIONS = sorted(REGION_VALUES)


@pytest.mark.parametrize("region", REGIONS)
def test_holds_only_the_regions_policy_and_its_jurisdictions_builds(region: str) -> None:
    data = render(region).one("ConfigMap", f"{FULLNAME}-config")["data"]
    expected = {f"region.{region}.yaml": (REPO / "regions" / f"{region}.yaml").read_text()}
    expected |= {f"build.{path.name}": path.read_text() for path in jurisdiction_manifests(region)}
    # Byte for byte: the server, not the chart, parses them (YAML 1.2: a bare NO stays Norway).
    assert data == expected


def test_eu_gets_nothing_of_the_us() -> None:
    data = render("eu-central-1").one("ConfigMap")["data"]
    assert "region.us-east-1.yaml" not in data
    us_manifests = {path.read_text() for path in (REPO / "models" / "us").glob("*.yaml")}
    assert not us_manifests & set(data.values())
    assert all("jurisdiction: US" not in text for text in data.values())


def test_us_gets_nothing_of_the_eu() -> None:
    data = render("us-east-1").one("ConfigMap")["data"]
    assert "region.eu-central-1.yaml" not in data
    assert all("jurisdiction: EU" not in text for text in data.values())


@pytest.mark.parametrize("region", REGIONS)
def test_every_key_the_pods_mount_exists(region: str) -> None:
    rendered = render(region)
    keys = set(rendered.one("ConfigMap")["data"])
    mounted = {
        item["key"]
        for volume in rendered.pod_spec["volumes"]
        if "configMap" in volume
        for item in volume["configMap"]["items"]
    }
    assert mounted == keys


def kubelet_volume(target: Path, volume: Manifest, data: dict[str, str]) -> None:
    """Lay out a configMap volume with `items` as the kubelet does: the files in a timestamped hidden
    folder, `..data` linking to it, and one link per top-level entry."""
    stamped = target / "..2026_01_01_00_00_00.000000001"
    for item in volume["configMap"]["items"]:
        path = stamped / item["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data[item["key"]])
    (target / "..data").symlink_to(stamped.name)
    for entry in stamped.iterdir():
        (target / entry.name).symlink_to(Path("..data") / entry.name)


@pytest.mark.parametrize("region", REGIONS)
def test_the_server_loads_the_mounted_files(region: str, tmp_path: Path) -> None:
    rendered = render(region)
    data = rendered.one("ConfigMap")["data"]
    env = {item["name"]: item.get("value") for item in rendered.server["env"]}
    root = tmp_path / "container"
    for path, mount in rendered.mounts().items():
        volume = rendered.volume(mount["name"])
        if "configMap" in volume:
            target = root / path.lstrip("/")
            target.mkdir(parents=True)
            kubelet_volume(target, volume, data)
    regions_dir = root / env["REGIONAL_LLM_REGIONS_DIR"].lstrip("/")
    models_dir = root / env["REGIONAL_LLM_MODELS_DIR"].lstrip("/")
    catalog = load_catalog(regions_dir, models_dir)
    assert catalog.errors == []
    assert set(catalog.regions) == {region}
    loaded = catalog.region(region)
    assert catalog.build_for(loaded, None).build.jurisdiction == region_policy(region)["jurisdiction"]
