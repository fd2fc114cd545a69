"""service.yaml, serviceaccount.yaml, pdb.yaml, hpa.yaml, servicemonitor.yaml and the labels every
object carries."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helm.chart import FULLNAME, NAMESPACE, REGION_VALUES, RELEASE, render, values_file

REGIONS = sorted(REGION_VALUES)


@pytest.mark.parametrize("region", REGIONS)
def test_every_object_carries_the_standard_labels(region: str) -> None:
    rendered = render(
        region,
        "autoscaling.enabled=true",
        "serviceMonitor.enabled=true",
        "serviceMonitor.apiKey.existingSecret=scraper-key",
    )
    kinds = {doc["kind"] for doc in rendered.docs}
    assert kinds == {
        "ConfigMap", "Deployment", "Service", "ServiceAccount", "NetworkPolicy", "PodDisruptionBudget",
        "HorizontalPodAutoscaler", "ServiceMonitor", "Pod",
    }  # fmt: skip
    for doc in rendered.docs:
        labels = doc["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == "regional-llm"
        assert labels["app.kubernetes.io/instance"] == RELEASE
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["app.kubernetes.io/version"] == "0.1.0"
        assert labels["helm.sh/chart"] == "regional-llm-0.1.0"
        assert labels["regional-llm/region"] == region
        assert doc["metadata"]["namespace"] == NAMESPACE


def test_the_service_sends_to_the_server_pods_only() -> None:
    rendered = render()
    service = rendered.one("Service", FULLNAME)["spec"]
    assert service["type"] == "ClusterIP"
    assert service["ports"] == [{"name": "http", "port": 8000, "targetPort": "http", "protocol": "TCP"}]
    pod_labels = rendered.deployment["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= pod_labels.items()
    assert service["selector"]["app.kubernetes.io/component"] == "server"


def test_the_service_account_has_no_api_token() -> None:
    rendered = render()
    account = rendered.one("ServiceAccount")
    assert account["automountServiceAccountToken"] is False
    assert rendered.pod_spec["serviceAccountName"] == account["metadata"]["name"]
    assert render("eu-central-1", "serviceAccount.create=false").all("ServiceAccount") == []


def test_the_disruption_budget_lets_drains_through_one_pod_at_a_time() -> None:
    rendered = render()
    budget = rendered.one("PodDisruptionBudget")["spec"]
    assert budget == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": rendered.deployment["spec"]["selector"]["matchLabels"]},
    }
    assert render("eu-central-1", "podDisruptionBudget.enabled=false").all("PodDisruptionBudget") == []


def test_the_autoscaler_is_optional_and_scales_the_deployment() -> None:
    assert render().all("HorizontalPodAutoscaler") == []
    spec = render(
        "eu-central-1", "autoscaling.enabled=true", "autoscaling.minReplicas=2", "autoscaling.maxReplicas=6"
    ).one("HorizontalPodAutoscaler")["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": FULLNAME}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 6)
    assert spec["metrics"][0]["pods"]["metric"]["name"] == "regional_llm_num_requests_waiting"


def test_autoscaler_metrics_are_values(tmp_path: Path) -> None:
    cpu = {
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
    }
    override = values_file(tmp_path, {"autoscaling": {"enabled": True, "metrics": [cpu]}})
    assert render("eu-central-1", files=(override,)).one("HorizontalPodAutoscaler")["spec"]["metrics"] == [
        cpu
    ]


def test_the_service_monitor_is_optional_and_scrapes_metrics() -> None:
    assert render().all("ServiceMonitor") == []
    rendered = render(
        "eu-central-1",
        "serviceMonitor.enabled=true",
        "serviceMonitor.labels.release=prometheus",
        "auth.publicMetrics=true",
    )
    monitor = rendered.one("ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    assert monitor["spec"]["endpoints"] == [
        {"port": "http", "path": "/metrics", "interval": "30s", "scrapeTimeout": "10s"}
    ]
    assert monitor["spec"]["selector"]["matchLabels"] == rendered.one("Service")["spec"]["selector"]
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}


def test_the_service_monitor_sends_a_key_and_verifies_the_server() -> None:
    monitor = render(
        "us-east-1", "serviceMonitor.enabled=true", "serviceMonitor.apiKey.existingSecret=scraper-key"
    ).one("ServiceMonitor")
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["authorization"] == {
        "type": "Bearer",
        "credentials": {"name": "scraper-key", "key": "api-key"},
    }
    assert endpoint["scheme"] == "https"
    assert endpoint["tlsConfig"] == {
        "serverName": f"{FULLNAME}.{NAMESPACE}.svc",
        "ca": {"secret": {"name": "regional-llm-tls-us", "key": "ca.crt"}},
    }
