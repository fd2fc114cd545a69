"""templates/deployment.yaml: GPUs, placement in the region, probes, restricted pods, read-only mounts and
settings the server really has."""

from __future__ import annotations

import pytest

from inference.config import Settings
from tests.helm.chart import REGION_VALUES, jurisdiction_manifests, region_policy, render, render_error

REGIONS = sorted(REGION_VALUES)
WRITABLE = {"/var/cache/regional-llm", "/var/lib/regional-llm", "/tmp", "/dev/shm"}


@pytest.mark.parametrize("region", REGIONS)
def test_requests_a_gpu_on_the_regions_gpu_nodes(region: str) -> None:
    rendered = render(region)
    resources = rendered.server["resources"]
    assert resources["limits"]["nvidia.com/gpu"] == "1"
    assert resources["requests"]["nvidia.com/gpu"] == "1"
    selector = rendered.pod_spec["nodeSelector"]
    assert selector["topology.kubernetes.io/region"] == region
    assert selector["nvidia.com/gpu.present"] == "true"
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in rendered.pod_spec[
        "tolerations"
    ]


def test_gpu_count_and_extra_gpu_labels() -> None:
    rendered = render("eu-central-1", "gpu.count=4", "gpu.nodeLabels.nvidia\\.com/gpu\\.product=NVIDIA-H100")
    assert rendered.server["resources"]["limits"]["nvidia.com/gpu"] == "4"
    assert rendered.pod_spec["nodeSelector"] == {
        "topology.kubernetes.io/region": "eu-central-1",
        "nvidia.com/gpu.present": "true",
        "nvidia.com/gpu.product": "NVIDIA-H100",
    }


def test_the_gpu_count_wins_over_a_gpu_entry_in_resources() -> None:
    rendered = render("eu-central-1", "resources.limits.nvidia\\.com/gpu=8")
    assert rendered.server["resources"]["limits"]["nvidia.com/gpu"] == "1"


def test_probes_are_sized_for_model_loading() -> None:
    server = render().server
    startup, readiness, liveness = server["startupProbe"], server["readinessProbe"], server["livenessProbe"]
    assert startup["httpGet"] == {"path": "/health", "port": "http"}
    assert readiness["httpGet"] == {"path": "/ready", "port": "http"}
    assert liveness["httpGet"] == {"path": "/health", "port": "http"}
    # The server listens only once the build is verified and loaded: the startup probe must wait that long.
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 600
    # Once started, a hung process is restarted within a minute or two, not after the loading allowance.
    assert liveness["periodSeconds"] * liveness["failureThreshold"] <= 120
    assert readiness["periodSeconds"] * readiness["failureThreshold"] <= 60
    assert server["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]


def test_startup_allowance_is_a_value() -> None:
    startup = render("eu-central-1", "probes.startup.failureThreshold=180").server["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] == 1800


def test_restricted_security_context() -> None:
    rendered = render()
    pod = rendered.pod_spec["securityContext"]
    assert pod["runAsNonRoot"] is True
    assert pod["runAsUser"] == 10001
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    container = rendered.server["securityContext"]
    assert container["runAsNonRoot"] is True
    assert container["runAsUser"] != 0
    assert container["allowPrivilegeEscalation"] is False
    assert container["privileged"] is False
    assert container["readOnlyRootFilesystem"] is True
    assert container["capabilities"] == {"drop": ["ALL"]}
    assert container["seccompProfile"] == {"type": "RuntimeDefault"}
    assert rendered.pod_spec["automountServiceAccountToken"] is False
    assert rendered.pod_spec["enableServiceLinks"] is False


def test_root_is_refused_by_the_schema() -> None:
    assert "runAsUser" in render_error("eu-central-1", "podSecurityContext.runAsUser=0")


@pytest.mark.parametrize("region", REGIONS)
def test_only_emptydirs_are_writable(region: str) -> None:
    rendered = render(region)
    mounts = rendered.mounts()
    writable = {path for path, mount in mounts.items() if not mount.get("readOnly")}
    assert writable == WRITABLE
    for path in WRITABLE:
        assert "emptyDir" in rendered.volume(mounts[path]["name"])
    assert rendered.volume(mounts["/dev/shm"]["name"])["emptyDir"]["medium"] == "Memory"


@pytest.mark.parametrize("region", REGIONS)
def test_policy_manifests_weights_and_secrets_are_mounted_read_only(region: str) -> None:
    rendered = render(region)
    mounts = rendered.mounts()
    jurisdiction = jurisdiction_manifests(region)[0].parent.name
    for path in (
        "/etc/regional-llm/regions",
        f"/etc/regional-llm/models/{jurisdiction}",
        "/models",
        "/etc/regional-llm/secrets",
    ):
        assert mounts[path]["readOnly"] is True, path
    # Only the region's own jurisdiction folder exists under models/.
    assert [p for p in mounts if p.startswith("/etc/regional-llm/models/")] == [
        f"/etc/regional-llm/models/{jurisdiction}"
    ]
    claim = rendered.volume(mounts["/models"]["name"])["persistentVolumeClaim"]
    assert claim == {"claimName": f"regional-llm-models-{jurisdiction}", "readOnly": True}
    policy = rendered.volume(mounts["/etc/regional-llm/regions"]["name"])["configMap"]
    assert policy["items"] == [{"key": f"region.{region}.yaml", "path": f"{region}.yaml"}]
    builds = rendered.volume(mounts[f"/etc/regional-llm/models/{jurisdiction}"]["name"])["configMap"]
    assert builds["items"] == [
        {"key": f"build.{path.name}", "path": path.name} for path in jurisdiction_manifests(region)
    ]


def test_another_volume_source_for_the_weights_is_mounted_read_only() -> None:
    rendered = render(
        "eu-central-1",
        "models.persistentVolumeClaim.claimName=",
        "models.volume.nfs.server=nfs.eu.internal",
        "models.volume.nfs.path=/exports/models",
    )
    volume = rendered.volume(rendered.mounts()["/models"]["name"])
    assert volume["nfs"] == {"server": "nfs.eu.internal", "path": "/exports/models"}
    assert "persistentVolumeClaim" not in volume
    assert rendered.mounts()["/models"]["readOnly"] is True


def test_secrets_are_files_from_secrets_and_the_audit_url_a_secret_ref() -> None:
    rendered = render("eu-central-1", "privacy.existingSecret=regional-llm-pii-eu")
    env = rendered.env()
    assert env["REGIONAL_LLM_AUDIT_URL"]["valueFrom"] == {
        "secretKeyRef": {"name": "regional-llm-audit-eu", "key": "url"}
    }
    assert env["REGIONAL_LLM_AUDIT_KEY_FILE"]["value"] == "/etc/regional-llm/secrets/audit.key"
    assert env["REGIONAL_LLM_PII_KEY_FILE"]["value"] == "/etc/regional-llm/secrets/pii.key"
    projected = rendered.volume(rendered.mounts()["/etc/regional-llm/secrets"]["name"])["projected"]
    assert projected["defaultMode"] == 0o440
    assert [source["secret"] for source in projected["sources"]] == [
        {"name": "regional-llm-audit-eu", "items": [{"key": "audit.key", "path": "audit.key"}]},
        {"name": "regional-llm-pii-eu", "items": [{"key": "pii.key", "path": "pii.key"}]},
        {"name": "regional-llm-grants-eu", "items": [{"key": "grants.yaml", "path": "grants.yaml"}]},
    ]
    # No key value ever travels in the environment.
    assert not {"REGIONAL_LLM_AUDIT_KEY", "REGIONAL_LLM_PII_KEY"} & set(env)


def test_no_pii_key_without_its_secret() -> None:
    rendered = render()
    assert "REGIONAL_LLM_PII_KEY_FILE" not in rendered.env()
    projected = rendered.volume("secrets")["projected"]
    assert [source["secret"]["name"] for source in projected["sources"]] == [
        "regional-llm-audit-eu",
        "regional-llm-grants-eu",
    ]


def test_the_grants_file_is_mounted_and_named() -> None:
    rendered = render("eu-central-1")
    env = {name: item.get("value") for name, item in rendered.env().items()}
    assert env["REGIONAL_LLM_API_KEYS_FILE"] == "/etc/regional-llm/secrets/grants.yaml"
    assert rendered.mounts()["/etc/regional-llm/secrets"]["readOnly"] is True
    # Identified callers only; /metrics too unless the values say otherwise; no TLS in this region.
    assert not {
        "REGIONAL_LLM_INSECURE_NO_AUTH",
        "REGIONAL_LLM_PUBLIC_METRICS",
        "REGIONAL_LLM_SSL_CERTFILE",
    } & set(env)
    assert (
        render("eu-central-1", "auth.publicMetrics=true").env()["REGIONAL_LLM_PUBLIC_METRICS"]["value"]
        == "true"
    )


def test_tls_and_the_client_ca_are_files_from_their_secrets() -> None:
    rendered = render("us-east-1")
    env = {name: item.get("value") for name, item in rendered.env().items()}
    assert env["REGIONAL_LLM_SSL_CERTFILE"] == "/etc/regional-llm/secrets/tls.crt"
    assert env["REGIONAL_LLM_SSL_KEYFILE"] == "/etc/regional-llm/secrets/tls.key"
    assert env["REGIONAL_LLM_SSL_CA_CERTS"] == "/etc/regional-llm/secrets/client-ca.crt"
    assert env["REGIONAL_LLM_API_KEYS_FILE"] == "/etc/regional-llm/secrets/grants.yaml"
    sources = [source["secret"] for source in rendered.volume("secrets")["projected"]["sources"]]
    assert {"name": "regional-llm-tls-us", "items": [
        {"key": "tls.crt", "path": "tls.crt"}, {"key": "tls.key", "path": "tls.key"}
    ]} in sources  # fmt: skip
    assert {
        "name": "regional-llm-client-ca-us",
        "items": [{"key": "ca.crt", "path": "client-ca.crt"}],
    } in sources


def test_probes_use_https_when_the_server_does() -> None:
    server = render("us-east-1").server
    for probe, path in (
        ("startupProbe", "/health"),
        ("readinessProbe", "/ready"),
        ("livenessProbe", "/health"),
    ):
        assert server[probe]["httpGet"] == {"path": path, "port": "http", "scheme": "HTTPS"}


def test_a_release_without_identities_says_so() -> None:
    rendered = render("eu-central-1", "auth.existingSecret=", "auth.insecureNoAuth=true")
    env = rendered.env()
    assert env["REGIONAL_LLM_INSECURE_NO_AUTH"]["value"] == "true"
    assert "REGIONAL_LLM_API_KEYS_FILE" not in env
    for pod in rendered.all("Pod"):
        assert "API_KEY" not in {item["name"] for item in pod["spec"]["containers"][0]["env"]}


@pytest.mark.parametrize("region", REGIONS)
def test_every_setting_in_the_environment_is_one_the_server_has(region: str) -> None:
    # A REGIONAL_LLM_* variable the server does not know would be ignored without a word.
    build = str(region_policy(region)["default_build"])
    everything = (
        f"build={build}",
        "privacy.existingSecret=pii",
        "auth.publicMetrics=true",
        "tls.existingSecret=tls",
        "tls.clientCa.existingSecret=client-ca",
    )
    open_release = ("auth.existingSecret=", "auth.insecureNoAuth=true", "tls.clientCa.existingSecret=")
    fields = set(Settings.model_fields)
    for sets in (everything, open_release):
        names = [name for name in render(region, *sets).env() if name.startswith("REGIONAL_LLM_")]
        assert [name for name in names if name.removeprefix("REGIONAL_LLM_").lower() not in fields] == []
        assert len(names) == len(set(names))
    rendered = render(region, *everything)
    for name in ("BUILD", "PII_KEY_FILE", "API_KEYS_FILE", "PUBLIC_METRICS", "SSL_CERTFILE", "SSL_CA_CERTS"):
        assert f"REGIONAL_LLM_{name}" in rendered.env()
    assert "REGIONAL_LLM_INSECURE_NO_AUTH" in render(region, *open_release).env()
    assert Settings.model_config.get("env_prefix") == "REGIONAL_LLM_"


@pytest.mark.parametrize("region", REGIONS)
def test_settings_point_at_the_mounts(region: str) -> None:
    rendered = render(region)
    env = {name: item.get("value") for name, item in rendered.env().items()}
    assert env["REGIONAL_LLM_REGION"] == region
    assert env["REGIONAL_LLM_ENGINE"] == "vllm"
    assert env["REGIONAL_LLM_HOST"] == "0.0.0.0"
    assert env["REGIONAL_LLM_PORT"] == "8000"
    mounts = rendered.mounts()
    assert env["REGIONAL_LLM_REGIONS_DIR"] in mounts
    jurisdiction = jurisdiction_manifests(region)[0].parent.name
    assert f"{env['REGIONAL_LLM_MODELS_DIR']}/{jurisdiction}" in mounts
    assert env["REGIONAL_LLM_CACHE_DIR"] in WRITABLE
    assert env["REGIONAL_LLM_DATA_DIR"] in WRITABLE
    assert env["HOME"] in WRITABLE
    assert "REGIONAL_LLM_BUILD" not in env  # the server serves the region's default_build


@pytest.mark.parametrize("region", REGIONS)
def test_a_chosen_build_is_passed_on(region: str) -> None:
    build = str(region_policy(region)["builds"][0])
    assert render(region, f"build={build}").env()["REGIONAL_LLM_BUILD"] == {
        "name": "REGIONAL_LLM_BUILD",
        "value": build,
    }


def test_termination_grace_covers_the_graceful_shutdown() -> None:
    rendered = render("eu-central-1", "server.gracefulShutdownSeconds=120", "server.preStopSleepSeconds=10")
    assert rendered.env()["REGIONAL_LLM_GRACEFUL_SHUTDOWN_SECONDS"]["value"] == "120"
    assert rendered.server["lifecycle"]["preStop"] == {"sleep": {"seconds": 10}}
    assert rendered.pod_spec["terminationGracePeriodSeconds"] > 120 + 10


def test_image_is_pinned() -> None:
    assert render().server["image"] == "registry.example.com/regional-llm:0.1.0"
    digest = "sha256:" + "a" * 64
    assert render("eu-central-1", f"image.digest={digest}").server["image"] == (
        f"registry.example.com/regional-llm@{digest}"
    )


def test_replicas_are_left_to_the_autoscaler_when_it_is_on() -> None:
    assert render("eu-central-1", "replicaCount=3").deployment["spec"]["replicas"] == 3
    assert "replicas" not in render("eu-central-1", "autoscaling.enabled=true").deployment["spec"]


def test_a_changed_policy_rolls_the_pods() -> None:
    annotations = render().deployment["spec"]["template"]["metadata"]["annotations"]
    other = render("eu-central-1", "helmTest.origin=FR")
    assert len(annotations["checksum/config"]) == 64
    # Same ConfigMap, same checksum; a different region's ConfigMap differs.
    assert other.deployment["spec"]["template"]["metadata"]["annotations"] == annotations
    assert render("us-east-1").deployment["spec"]["template"]["metadata"]["annotations"] != annotations


def test_load_shedding_and_http_limits_reach_the_server() -> None:
    rendered = render(
        "eu-central-1",
        "server.maxNumQueuedReqs=96",
        "server.http.limitRequestHeadBytes=32768",
        "server.http.timeoutRequest=120",
    )
    env = {
        name: item["value"]
        for name, item in rendered.env().items()
        if name.startswith("REGIONAL_LLM_") and "value" in item  # secrets come from files at run time
    }
    settings = Settings(**{name.removeprefix("REGIONAL_LLM_").lower(): value for name, value in env.items()})
    assert settings.max_num_queued_reqs == 96
    assert settings.limit_request_head_bytes == 32768
    assert settings.timeout_request == 120
    assert (settings.limit_request_fields, settings.timeout_keep_alive) == (100, 5)
    assert (settings.timeout_request_head, settings.timeout_request_body) == (10, 10)
    # Unset, the server's own default (three times max_num_seqs) applies.
    assert "REGIONAL_LLM_MAX_NUM_QUEUED_REQS" not in render("eu-central-1").env()
    assert "/server/http/timeoutRequest" in render_error("eu-central-1", "server.http.timeoutRequest=0")
