"""validateValues (templates/_helpers.tpl) and values.schema.json: values that would not make a safe
release of one region fail rendering, saying why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.helm.chart import CHART, REGION_VALUES, REPO, helm, render, render_error, values_file

REGIONS = sorted(REGION_VALUES)
HEADER = "regional-llm: these values do not make a safe release:"


@pytest.mark.parametrize("region", REGIONS)
def test_every_region_values_file_lints_strictly(region: str) -> None:
    result = helm("lint", "--strict", str(CHART), "-f", str(REGION_VALUES[region]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("region", REGIONS)
def test_every_region_values_file_names_a_policy_and_pins_its_nodes(region: str) -> None:
    assert (REPO / "regions" / f"{region}.yaml").is_file()
    rendered = render(region)
    assert rendered.pod_spec["nodeSelector"]["topology.kubernetes.io/region"] == region


def test_a_region_without_a_policy_fails() -> None:
    message = render_error(
        "eu-central-1", "region=ap-south-1", "nodeSelector.topology\\.kubernetes\\.io/region=ap-south-1"
    )
    assert HEADER in message
    assert (
        'region: "ap-south-1" has no policy in regions/ (known regions: eu-central-1, us-east-1)' in message
    )


def test_a_node_selector_of_another_region_fails() -> None:
    message = render_error("eu-central-1", "nodeSelector.topology\\.kubernetes\\.io/region=us-east-1")
    assert (
        'nodeSelector: topology.kubernetes.io/region is "us-east-1" but the region is "eu-central-1"; '
        "the pods must run on the region's own nodes"
    ) in message


def test_the_region_of_another_values_file_fails() -> None:
    # The EU values file with the US region: its node selector still names eu-central-1.
    message = render_error("eu-central-1", "region=us-east-1")
    assert 'topology.kubernetes.io/region is "eu-central-1" but the region is "us-east-1"' in message


def test_a_node_selector_without_a_region_fails(tmp_path: Path) -> None:
    values = yaml.safe_load(REGION_VALUES["eu-central-1"].read_text())
    values["nodeSelector"] = {"pool": "gpu"}
    message = render_error(None, files=(values_file(tmp_path, values),))
    assert 'nodeSelector: topology.kubernetes.io/region is "" but the region is "eu-central-1"' in message


def test_no_region_fails_and_names_the_values_files() -> None:
    message = render_error(None)
    assert (
        "region: not set; choose one of the region policies in regions/ (eu-central-1, us-east-1)" in message
    )
    assert "audit.existingSecret: name the Secret" in message
    assert "models: set persistentVolumeClaim.claimName" in message


def chart_copy(folder: Path) -> Path:
    """The chart with real copies of regions/ and models/ (the links resolved), to add files to."""
    copy = folder / "regional-llm"
    shutil.copytree(CHART, copy, symlinks=False)
    return copy


def test_a_jurisdiction_without_builds_fails(tmp_path: Path) -> None:
    chart = chart_copy(tmp_path)
    policy = (chart / "files" / "regions" / "eu-central-1.yaml").read_text()
    (chart / "files" / "regions" / "ap-south-1.yaml").write_text(
        policy.replace("id: eu-central-1", "id: ap-south-1").replace("jurisdiction: EU", "jurisdiction: IN")
    )
    message = render_error(
        "eu-central-1",
        "region=ap-south-1",
        "nodeSelector.topology\\.kubernetes\\.io/region=ap-south-1",
        "helmTest.origin=EU",
        chart=chart,
    )
    assert 'region: "ap-south-1" has jurisdiction IN, which has no build manifests in models/in/' in message


def test_a_policy_whose_id_is_not_its_file_name_fails(tmp_path: Path) -> None:
    chart = chart_copy(tmp_path)
    policy = chart / "files" / "regions" / "eu-central-1.yaml"
    policy.write_text(policy.read_text().replace("id: eu-central-1", "id: eu-west-1"))
    message = render_error("eu-central-1", chart=chart)
    assert 'region: regions/eu-central-1.yaml names the region "eu-west-1"' in message


def test_a_listed_build_without_a_manifest_fails(tmp_path: Path) -> None:
    chart = chart_copy(tmp_path)
    policy = chart / "files" / "regions" / "eu-central-1.yaml"
    policy.write_text(policy.read_text().replace("builds:\n", "builds:\n  - eu-missing-7b\n", 1))
    message = render_error("eu-central-1", chart=chart)
    assert (
        'regions/eu-central-1.yaml lists build "eu-missing-7b", which has no manifest in models/eu/'
        in message
    )


def test_a_folder_build_outside_the_model_volume_fails(tmp_path: Path) -> None:
    chart = chart_copy(tmp_path)
    manifest = chart / "files" / "models" / "eu" / "smollm2-135m-demo.yaml"
    text = manifest.read_text()
    start, end = text.index("source:"), text.index("files:")
    manifest.write_text(text[:start] + "source:\n  kind: folder\n  path: /data/eu-demo\n" + text[end:])
    message = render_error("eu-central-1", chart=chart)
    assert (
        'build: eu-smollm2-135m-demo\'s source.path "/data/eu-demo" must lie under /models/, '
        "where the chart mounts the model volume"
    ) in message
    manifest.write_text(text[:start] + "source:\n  kind: folder\n  path: /models/../etc\n" + text[end:])
    assert 'source.path "/models/../etc" must lie under /models/' in render_error("eu-central-1", chart=chart)
    manifest.write_text(text[:start] + "source:\n  kind: folder\n  path: /models/eu-demo\n" + text[end:])
    assert render("eu-central-1", chart=chart).deployment


def test_a_build_over_more_gpus_than_the_pod_requests_fails(tmp_path: Path) -> None:
    chart = chart_copy(tmp_path)
    manifest = chart / "files" / "models" / "eu" / "smollm2-135m-demo.yaml"
    manifest.write_text(manifest.read_text() + "  vllm:\n    tensor_parallel_size: 2\n")
    message = render_error("eu-central-1", chart=chart)
    assert (
        "gpu.count: build eu-smollm2-135m-demo spans 2 GPUs (engine.vllm.tensor_parallel_size) "
        "but each pod requests 1"
    ) in message
    assert (
        render("eu-central-1", "gpu.count=2", chart=chart).server["resources"]["limits"]["nvidia.com/gpu"]
        == "2"
    )


def test_keyed_pii_actions_need_the_key_secret(tmp_path: Path) -> None:
    chart = chart_copy(tmp_path)
    policy = chart / "files" / "regions" / "eu-central-1.yaml"
    policy.write_text(policy.read_text().replace("US_SSN: block", "US_SSN: block\n    IBAN_CODE: hash"))
    message = render_error("eu-central-1", chart=chart)
    assert (
        "privacy.existingSecret: regions/eu-central-1.yaml uses the PII action hash, which needs a key"
    ) in message
    rendered = render("eu-central-1", "privacy.existingSecret=regional-llm-pii-eu", chart=chart)
    assert rendered.env()["REGIONAL_LLM_PII_KEY_FILE"]["value"] == "/etc/regional-llm/secrets/pii.key"


def test_another_jurisdictions_build_fails() -> None:
    message = render_error("eu-central-1", "build=us-smollm2-135m-demo")
    assert 'build: "us-smollm2-135m-demo" is not one of the builds region eu-central-1 may serve' in message


def test_the_shared_audit_store_is_required() -> None:
    message = render_error("eu-central-1", "audit.existingSecret=")
    assert "audit.existingSecret: name the Secret holding the PostgreSQL URL and the audit key" in message


def test_the_model_volume_is_required() -> None:
    assert "models: set persistentVolumeClaim.claimName" in render_error(
        "eu-central-1", "models.persistentVolumeClaim.claimName="
    )


@pytest.mark.parametrize(
    ("sets", "expected"),
    [
        (("helmTest.origin=US",), 'helmTest.origin: "US" is not accepted by region eu-central-1'),
        (("helmTest.foreignOrigin=FR",), 'helmTest.foreignOrigin: "FR" is accepted by region eu-central-1'),
        # Helm reads YAML 1.1, where the bare NO of the EU policy is a boolean: it must still be Norway.
        (("helmTest.foreignOrigin=NO",), 'helmTest.foreignOrigin: "NO" is accepted by region eu-central-1'),
        (("helmTest.origin=",), "helmTest.origin: not set; name an origin region eu-central-1 accepts"),
        (
            ("helmTest.foreignOrigin=",),
            "helmTest.foreignOrigin: not set; name an origin region eu-central-1 refuses",
        ),
    ],
)
def test_the_test_origins_must_fit_the_policy(sets: tuple[str, ...], expected: str) -> None:
    assert expected in render_error("eu-central-1", *sets)


def test_every_problem_is_listed_at_once() -> None:
    message = render_error(
        "eu-central-1", "nodeSelector.topology\\.kubernetes\\.io/region=us-east-1", "audit.existingSecret="
    )
    assert message.count("\n  - ") == 2


@pytest.mark.parametrize(
    ("sets", "expected"),
    [
        (("auth.enabled=true",), "additional properties 'enabled' not allowed"),
        (("tls.verify=false",), "additional properties 'verify' not allowed"),
        (("auth.publicMetrics=maybe",), "/auth/publicMetrics"),
        (("image.tag=latest",), "/image/tag"),
        (("server.engine=llama",), "/server/engine"),
        (("region=EU Central",), "/region"),
        (("gpu.count=0",), "/gpu/count"),
        (("service.type=NodePort",), "/service/type"),
        (("networkPolicy.egress=all",), "additional properties 'egress' not allowed"),
    ],
)
def test_the_schema_refuses(sets: tuple[str, ...], expected: str) -> None:
    message = render_error("eu-central-1", *sets)
    assert "values don't meet the specifications of the schema" in message
    assert expected in message


@pytest.mark.parametrize(
    ("sets", "expected"),
    [
        (
            ("auth.existingSecret=",),
            "auth.existingSecret: name the Secret holding the grants file (API keys from `regional-llm keys "
            "create`, client-certificate grants), or set auth.insecureNoAuth=true",
        ),
        (("auth.insecureNoAuth=true",), "auth.insecureNoAuth: true contradicts auth.existingSecret"),
        (
            (
                "auth.existingSecret=",
                "auth.insecureNoAuth=true",
                "tls.existingSecret=t",
                "tls.clientCa.existingSecret=ca",
            ),
            "tls.clientCa.existingSecret: client certificates need grants",
        ),
        (
            ("tls.clientCa.existingSecret=ca",),
            "tls.clientCa.existingSecret: mutual TLS needs the server's own",
        ),
        (("helmTest.apiKey.existingSecret=",), "helmTest.apiKey.existingSecret: callers are identified"),
        (
            ("serviceMonitor.enabled=true",),
            "serviceMonitor.apiKey.existingSecret: /metrics needs an identity",
        ),
    ],
)
def test_callers_must_be_identified_or_the_release_says_it_serves_anyone(
    sets: tuple[str, ...], expected: str
) -> None:
    message = render_error("eu-central-1", *sets)
    assert HEADER in message
    assert expected in message


def test_an_open_release_and_an_open_metrics_endpoint_render() -> None:
    render(
        "eu-central-1", "auth.existingSecret=", "auth.insecureNoAuth=true", "helmTest.apiKey.existingSecret="
    )
    render("eu-central-1", "serviceMonitor.enabled=true", "auth.publicMetrics=true")
