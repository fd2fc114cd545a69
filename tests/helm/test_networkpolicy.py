"""templates/networkpolicy.yaml: in only from the configured clients, out only to DNS and the audit
PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helm.chart import REGION_VALUES, RELEASE, render, render_error, values_file

REGIONS = sorted(REGION_VALUES)
TEST_PODS = {
    "podSelector": {
        "matchLabels": {"app.kubernetes.io/instance": RELEASE, "app.kubernetes.io/component": "helm-test"}
    }
}


def namespace(name: str) -> dict[str, object]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


@pytest.mark.parametrize("region", REGIONS)
def test_selects_the_server_pods(region: str) -> None:
    rendered = render(region)
    policy = rendered.one("NetworkPolicy")
    pod_labels = rendered.deployment["spec"]["template"]["metadata"]["labels"]
    selector = policy["spec"]["podSelector"]["matchLabels"]
    assert selector.items() <= pod_labels.items()
    assert selector == rendered.deployment["spec"]["selector"]["matchLabels"]
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]


@pytest.mark.parametrize("region", REGIONS)
def test_ingress_only_from_clients_scrapers_and_the_test_pods(region: str) -> None:
    suffix = region.split("-")[0]
    (rule,) = render(region).one("NetworkPolicy")["spec"]["ingress"]
    assert rule["from"] == [
        namespace(f"storefront-{suffix}"),
        namespace(f"crm-{suffix}"),
        namespace("monitoring"),
        TEST_PODS,
    ]
    assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]


def test_pod_label_clients(tmp_path: Path) -> None:
    chatbot = {"podSelector": {"matchLabels": {"app": "chatbot"}}}
    override = values_file(tmp_path, {"networkPolicy": {"clients": [chatbot], "scrapers": []}})
    rendered = render("eu-central-1", "helmTest.enabled=false", files=(override,))
    (rule,) = rendered.one("NetworkPolicy")["spec"]["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app": "chatbot"}}}]


def test_no_clients_means_no_ingress_at_all(tmp_path: Path) -> None:
    override = values_file(tmp_path, {"networkPolicy": {"clients": [], "scrapers": []}})
    rendered = render("eu-central-1", "helmTest.enabled=false", files=(override,))
    assert rendered.one("NetworkPolicy")["spec"]["ingress"] == []


@pytest.mark.parametrize(
    ("region", "cidr"), [("eu-central-1", "10.20.8.0/24"), ("us-east-1", "10.30.8.0/24")]
)
def test_egress_only_to_dns_and_the_audit_database(region: str, cidr: str) -> None:
    dns, audit = render(region).one("NetworkPolicy")["spec"]["egress"]
    assert dns == {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            }
        ],
        "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
    }
    assert audit == {"to": [{"ipBlock": {"cidr": cidr}}], "ports": [{"port": 5432, "protocol": "TCP"}]}


def test_an_in_cluster_audit_database(tmp_path: Path) -> None:
    database = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "db"}},
        "podSelector": {"matchLabels": {"app": "postgresql"}},
    }
    override = values_file(tmp_path, {"networkPolicy": {"auditDatabase": {"to": [database], "port": 6432}}})
    rendered = render("eu-central-1", files=(override,))
    _, audit = rendered.one("NetworkPolicy")["spec"]["egress"]
    assert audit == {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "db"}},
                "podSelector": {"matchLabels": {"app": "postgresql"}},
            }
        ],
        "ports": [{"port": 6432, "protocol": "TCP"}],
    }


def test_the_audit_database_must_be_named(tmp_path: Path) -> None:
    override = values_file(tmp_path, {"networkPolicy": {"auditDatabase": {"to": []}}})
    message = render_error("eu-central-1", files=(override,))
    assert "networkPolicy.auditDatabase.to: name where the audit PostgreSQL is" in message


def test_can_be_turned_off() -> None:
    assert render("eu-central-1", "networkPolicy.enabled=false").all("NetworkPolicy") == []
