"""templates/configmap.yaml: the region's policy and its jurisdiction's build manifests, verbatim, and no
other region's or jurisdiction's file."""

from __future__ import annotations

import pytest

from tests.helm.chart import FULLNAME, REGION_VALUES, REPO, jurisdiction_manifests, render

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
