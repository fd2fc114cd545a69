"""templates/tests/test-data-origin.yaml: the `helm test` pods send an accepted origin (expect 200 and an
answer) and a refused one (expect 403 data_origin_mismatch). Their script is run here against a local
stand-in for the server, to show it passes and fails when it should."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.helm.chart import FULLNAME, NAMESPACE, REGION_VALUES, Manifest, render

REGIONS = sorted(REGION_VALUES)
ORIGINS = {"eu-central-1": ("DE", "US"), "us-east-1": ("US", "DE")}
SCHEMES = {"eu-central-1": "http", "us-east-1": "https"}
TEST_KEY = "rllm_0123456789ab_" + "k" * 43

# (origin header) -> (status, body) of the stand-in server.
Answer = Callable[[str], tuple[int, dict[str, object]]]


def hook_pods(region: str = "eu-central-1", *sets: str) -> dict[str, Manifest]:
    pods = render(region, *sets).all("Pod")
    return {pod["metadata"]["name"].removeprefix(f"{FULLNAME}-test-"): pod for pod in pods}


@pytest.mark.parametrize("region", REGIONS)
def test_two_hook_pods_send_the_accepted_and_the_refused_origin(region: str) -> None:
    pods = hook_pods(region)
    assert set(pods) == {"origin-accepted", "origin-refused"}
    accepted, refused = ORIGINS[region]
    expected = {
        "origin-accepted": {"DATA_ORIGIN": accepted, "EXPECT_STATUS": "200", "EXPECT_CODE": ""},
        "origin-refused": {
            "DATA_ORIGIN": refused,
            "EXPECT_STATUS": "403",
            "EXPECT_CODE": "data_origin_mismatch",
        },
    }
    for name, pod in pods.items():
        assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
        (container,) = pod["spec"]["containers"]
        env = {item["name"]: item.get("value") for item in container["env"]}
        scheme = SCHEMES[region]
        assert env["TARGET_URL"] == f"{scheme}://{FULLNAME}.{NAMESPACE}.svc:8000/v1/chat/completions"
        assert {key: env[key] for key in expected[name]} == expected[name]
        # Callers are identified: the pods send a key from the Secret the values name.
        (api_key,) = [item for item in container["env"] if item["name"] == "API_KEY"]
        short = region[:2]
        assert api_key["valueFrom"] == {
            "secretKeyRef": {"name": f"regional-llm-helm-test-{short}", "key": "api-key"}
        }
        assert pod["spec"]["restartPolicy"] == "Never"
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True


def test_over_https_the_pods_verify_the_server_with_its_ca() -> None:
    for pod in hook_pods("us-east-1").values():
        (container,) = pod["spec"]["containers"]
        env = {item["name"]: item.get("value") for item in container["env"]}
        assert env["CA_FILE"] == "/etc/regional-llm/tls/ca.crt"
        assert container["volumeMounts"] == [
            {"name": "server-ca", "mountPath": "/etc/regional-llm/tls", "readOnly": True}
        ]
        (volume,) = pod["spec"]["volumes"]
        assert volume["secret"] == {
            "secretName": "regional-llm-tls-us",
            "items": [{"key": "ca.crt", "path": "ca.crt"}],
        }
    for pod in hook_pods("eu-central-1").values():
        assert "volumes" not in pod["spec"]


def test_the_test_pods_may_pass_the_network_policy_but_are_not_served_by_the_service() -> None:
    rendered = render()
    (rule,) = rendered.one("NetworkPolicy")["spec"]["ingress"]
    service = rendered.one("Service")["spec"]["selector"]
    for pod in rendered.all("Pod"):
        labels = pod["metadata"]["labels"]
        assert any(
            set(peer.get("podSelector", {}).get("matchLabels", {}).items()) <= set(labels.items())
            and "namespaceSelector" not in peer
            for peer in rule["from"]
        )
        assert not set(service.items()) <= set(labels.items())


def test_another_image_for_the_test_pods() -> None:
    pods = hook_pods("eu-central-1", "helmTest.image.repository=python", "helmTest.image.tag=3.12-slim")
    assert {pod["spec"]["containers"][0]["image"] for pod in pods.values()} == {"python:3.12-slim"}
    assert {c["image"] for c in render().all("Pod")[0]["spec"]["containers"]} == {
        "registry.example.com/regional-llm:0.1.0"
    }


def test_no_test_pods_when_turned_off() -> None:
    assert render("eu-central-1", "helmTest.enabled=false").all("Pod") == []


@pytest.fixture
def stand_in() -> Iterator[Callable[[Answer], str]]:
    """Start a local HTTP server answering POSTs with `answer(X-Data-Origin)`; gives its URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(answer: Answer) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                assert request["model"] == "assistant"
                if self.headers["Authorization"] != f"Bearer {TEST_KEY}":
                    status, body = 401, {"error": {"code": "invalid_api_key"}}
                else:
                    status, body = answer(self.headers["X-Data-Origin"])
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/v1/chat/completions"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def like_the_eu_region(origin: str) -> tuple[int, dict[str, object]]:
    if origin == "DE":
        return 200, {"object": "chat.completion", "choices": [{"index": 0, "message": {"content": "Hi"}}]}
    mismatch = {
        "message": "refused",
        "type": "permission_error",
        "param": None,
        "code": "data_origin_mismatch",
    }
    return 403, {"error": mismatch}


def run_pod(pod: Manifest, url: str, key: str = TEST_KEY) -> subprocess.CompletedProcess[str]:
    (container,) = pod["spec"]["containers"]
    command = container["command"]
    assert command[:2] == ["python3", "-c"]
    # The key comes from its Secret; a stand-in for the kubelet puts it in the environment.
    env = {item["name"]: item["value"] for item in container["env"] if "value" in item}
    env |= {"TARGET_URL": url, "API_KEY": key + "\n"}
    return subprocess.run(
        [sys.executable, "-c", command[2]],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_both_checks_pass_against_a_server_that_refuses_the_foreign_origin(
    stand_in: Callable[[Answer], str],
) -> None:
    url = stand_in(like_the_eu_region)
    for name, pod in hook_pods().items():
        result = run_pod(pod, url)
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
    assert (
        "X-Data-Origin: US -> HTTP 403 data_origin_mismatch"
        in run_pod(hook_pods()["origin-refused"], url).stdout
    )


@pytest.mark.parametrize(
    ("pod", "answer"),
    [
        # A server that serves every origin fails the refused-origin check.
        ("origin-refused", lambda origin: (200, {"choices": [{"index": 0}]})),
        # Refused for another reason than the origin.
        ("origin-refused", lambda origin: (403, {"error": {"code": "forbidden"}})),
        ("origin-refused", lambda origin: (400, {"error": {"code": "data_origin_invalid"}})),
        # A server that refuses everyone, or answers 200 without a completion, fails the accepted check.
        ("origin-accepted", lambda origin: (403, {"error": {"code": "data_origin_mismatch"}})),
        ("origin-accepted", lambda origin: (200, {"choices": []})),
        ("origin-accepted", lambda origin: (503, {"error": {"code": "engine_unavailable"}})),
    ],
)
def test_each_check_fails_against_a_server_that_answers_wrongly(
    stand_in: Callable[[Answer], str], pod: str, answer: Answer
) -> None:
    result = run_pod(hook_pods()[pod], stand_in(answer))
    assert result.returncode == 1, result.stdout + result.stderr


def test_without_the_right_key_the_accepted_check_fails(stand_in: Callable[[Answer], str]) -> None:
    result = run_pod(hook_pods()["origin-accepted"], stand_in(like_the_eu_region), key="rllm_wrong")
    assert result.returncode == 1
    assert "HTTP 401 invalid_api_key" in result.stdout
