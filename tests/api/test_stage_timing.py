"""Where a request's time goes: the Server-Timing header, the stream's last comment and the stage
histogram, checked against the times the test measures itself."""

from __future__ import annotations

import re
import time

import httpx

from tests.servers import Server, metric

ALL_STAGES = ["origin", "pii_detect", "pii_anonymize", "tokenize", "queue", "first_token", "restore", "audit"]
BODY = {
    "model": "eu-tiny",
    "messages": [{"role": "user", "content": "My e-mail is jane.doe@example.com, where is my order?"}],
    "max_tokens": 8,
}


def _parse(value: str) -> dict[str, float]:
    """`origin;dur=0.021, total;dur=9.5` as seconds by name."""
    found = {}
    for part in value.split(","):
        match = re.fullmatch(r"\s*([a-z_]+);dur=([0-9.]+)\s*", part)
        assert match is not None, f"malformed Server-Timing entry {part!r} in {value!r}"
        found[match[1]] = float(match[2]) / 1000
    return found


def test_a_non_streamed_answer_times_every_stage(server: Server) -> None:
    started = time.perf_counter()
    response = httpx.post(
        f"{server.url}/v1/chat/completions", json=BODY, headers={"X-Data-Origin": "DE"}, timeout=60
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    stages = _parse(response.headers["server-timing"])
    assert list(stages) == [*ALL_STAGES, "total"]
    assert all(value >= 0 for value in stages.values())
    # The stages are parts of the request, the request is part of what the client waited for.
    assert sum(stages[s] for s in ALL_STAGES) <= stages["total"] <= elapsed
    assert stages["first_token"] > 0
    assert stages["pii_detect"] > 0


def test_a_stream_times_its_head_in_the_header_and_everything_before_done(server: Server) -> None:
    started = time.perf_counter()
    with httpx.stream(
        "POST",
        f"{server.url}/v1/chat/completions",
        json={**BODY, "stream": True},
        headers={"X-Data-Origin": "DE"},
        timeout=60,
    ) as response:
        head_received = time.perf_counter() - started
        head = _parse(response.headers["server-timing"])
        lines = list(response.iter_lines())
    elapsed = time.perf_counter() - started
    assert list(head) == ["origin", "pii_detect", "pii_anonymize", "tokenize", "queue", "first_token"]
    assert sum(head.values()) <= head_received
    comments = [line for line in lines if line.startswith(": server-timing ")]
    assert len(comments) == 1
    assert lines.index(comments[0]) == lines.index("data: [DONE]") - 2  # then a blank line, then [DONE]
    stages = _parse(comments[0].removeprefix(": server-timing "))
    assert list(stages) == [*ALL_STAGES, "total"]
    assert {s: stages[s] for s in head} == head
    assert sum(stages[s] for s in ALL_STAGES) <= stages["total"] <= elapsed


def test_stage_histograms_count_each_request(server: Server) -> None:
    labels = {"model_name": "eu-tiny", "region": "eu-test"}
    before = {
        s: metric(server, "regional_llm:request_stage_seconds_count", stage=s, **labels) for s in ALL_STAGES
    }
    refused_before = metric(server, "regional_llm:request_stage_seconds_count", stage="origin", **labels)
    response = httpx.post(
        f"{server.url}/v1/chat/completions", json=BODY, headers={"X-Data-Origin": "DE"}, timeout=60
    )
    assert response.status_code == 200
    after = {
        s: metric(server, "regional_llm:request_stage_seconds_count", stage=s, **labels) for s in ALL_STAGES
    }
    assert {s: after[s] - before[s] for s in ALL_STAGES} == dict.fromkeys(ALL_STAGES, 1.0)
    refused = httpx.post(
        f"{server.url}/v1/chat/completions", json=BODY, headers={"X-Data-Origin": "US"}, timeout=60
    )
    assert refused.status_code == 403
    assert "server-timing" not in refused.headers or set(_parse(refused.headers["server-timing"])) <= {
        "origin",
        "audit",
        "total",
    }
    assert (
        metric(server, "regional_llm:request_stage_seconds_count", stage="origin", **labels)
        == refused_before + 2
    )
