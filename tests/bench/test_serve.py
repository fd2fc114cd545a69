"""`regional-llm bench serve` against the real server (tiny model): every metric is checked against
timestamps that a recording proxy between the benchmark and the server takes itself."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path

import pytest

from inference.bench.latency import parse_goodput, percentile, summarize
from inference.bench.load import Target, run_level
from inference.bench.serve import parse
from inference.bench.serve_report import table_rows
from inference.bench.workload import ecommerce_prompts, jsonl_prompts, random_prompts
from inference.errors import ConfigError
from tests.bench.recording_proxy import recording_proxy
from tests.servers import Server, run_cli

ORIGIN = (("X-Data-Origin", "DE"),)
# Loopback, one event loop on each side and a 2-core machine: the client sees a chunk within this much
# of the proxy sending it on.
SLACK = 0.25


@pytest.mark.parametrize("endpoint", ["/v1/completions", "/v1/chat/completions"])
def test_every_metric_matches_what_the_proxy_saw(server: Server, endpoint: str) -> None:
    prompts = random_prompts(10, input_len=12, output_len=8, range_ratio=0.5, seed=3)
    with recording_proxy(server.url) as (url, proxy):
        target = Target(url, "eu-tiny", endpoint, ORIGIN)
        run = asyncio.run(run_level(target, prompts, max_concurrency=3))
    passages = {p.prompt: p for p in proxy.passages}
    assert len(passages) == len(prompts) == len(run.records)
    for prompt, record in zip(prompts, run.records, strict=True):
        key = prompt.text if endpoint == "/v1/completions" else json.dumps(prompt.chat())
        seen = passages[key]
        assert record.ok, record.error
        assert record.output_tokens == seen.completion_tokens == prompt.output_len
        proxy_ttft = seen.output_at[0] - seen.arrived
        assert proxy_ttft <= record.ttft <= proxy_ttft + SLACK  # type: ignore[operator]
        assert len(record.itl) == len(seen.output_at) - 1
        proxy_latency = seen.output_at[-1] - seen.arrived
        assert proxy_latency <= record.latency <= proxy_latency + SLACK
        assert record.tpot == pytest.approx((record.latency - record.ttft) / (record.output_tokens - 1))  # type: ignore[operator]
        assert set(record.stages) >= {"origin", "pii_detect", "queue", "first_token", "audit", "total"}
        assert record.stages["total"] <= record.latency
    # At most three requests were ever in flight at once, as asked.
    events = sorted(
        [(p.arrived, 1) for p in proxy.passages] + [(p.output_at[-1], -1) for p in proxy.passages]
    )
    in_flight = peak = 0
    for _, step in events:
        in_flight += step
        peak = max(peak, in_flight)
    assert peak <= 3
    summary = summarize(run, "c=3", {}).values
    span = max(p.output_at[-1] for p in proxy.passages) - min(p.arrived for p in proxy.passages)
    assert span <= run.duration
    assert summary["completed"] == 10
    assert summary["total_output_tokens"] == sum(p.completion_tokens or 0 for p in proxy.passages)
    assert summary["output_throughput"] == pytest.approx(summary["total_output_tokens"] / run.duration)
    assert summary["request_throughput"] == pytest.approx(10 / run.duration)
    ttfts = sorted(r.ttft for r in run.records if r.ttft is not None)
    assert summary["ttft"]["median_ms"] == pytest.approx(percentile(ttfts, 50) * 1000)
    assert summary["ttft"]["p99_ms"] <= ttfts[-1] * 1000
    assert summary["ttft"]["mean_ms"] == pytest.approx(sum(ttfts) / len(ttfts) * 1000)
    gaps = [g for r in run.records for g in r.itl]
    assert summary["itl"]["median_ms"] == pytest.approx(percentile(gaps, 50) * 1000)
    assert summary["stages"]["first_token"]["median_ms"] <= summary["ttft"]["median_ms"]


def test_request_rate_spaces_arrivals(server: Server) -> None:
    prompts = random_prompts(8, input_len=6, output_len=4, range_ratio=0, seed=1)
    with recording_proxy(server.url) as (url, proxy):
        run = asyncio.run(
            run_level(
                Target(url, "eu-tiny", "/v1/completions", ORIGIN),
                prompts,
                max_concurrency=None,
                request_rate=4.0,
                seed=5,
            )
        )
    arrivals = sorted(p.arrived for p in proxy.passages)
    # Eight Poisson arrivals at 4/s take about 1.75 s on average; all at once would take milliseconds.
    assert arrivals[-1] - arrivals[0] > 0.3
    assert all(r.ok for r in run.records)


def test_goodput_counts_requests_within_every_slo(server: Server) -> None:
    prompts = random_prompts(6, input_len=6, output_len=4, range_ratio=0, seed=2)
    run = asyncio.run(
        run_level(Target(server.url, "eu-tiny", "/v1/completions", ORIGIN), prompts, max_concurrency=2)
    )
    ttfts = sorted(r.ttft for r in run.records if r.ttft is not None)
    # A TTFT limit between the third and fourth fastest requests: exactly three meet it.
    limit_ms = (ttfts[2] + ttfts[3]) / 2 * 1000
    values = summarize(run, "c=2", parse_goodput([f"ttft:{limit_ms}"])).values
    assert values["goodput"]["requests_per_s"] == pytest.approx(3 / run.duration)
    with pytest.raises(ValueError, match="must be one of ttft, tpot, e2el"):
        parse_goodput(["latency:5"])


def test_failures_are_counted_by_error_code(server: Server) -> None:
    prompts = random_prompts(4, input_len=6, output_len=2, range_ratio=0, seed=2)
    refused = Target(server.url, "eu-tiny", "/v1/completions", (("X-Data-Origin", "US"),))
    unknown = Target(server.url, "no-such-model", "/v1/completions", ORIGIN)
    for target, code in ((refused, "403 data_origin_mismatch"), (unknown, "404 model_not_found")):
        values = summarize(asyncio.run(run_level(target, prompts, max_concurrency=2)), "c=2", {}).values
        assert values["failed"] == 4
        assert values["failures"] == {code: 4}
        assert math.isnan(values["ttft"]["median_ms"])


def test_an_overloaded_servers_refusals_and_memory_are_reported(server: Server) -> None:
    # 30 long requests at once against a server that holds 12 (--max-num-seqs 4, the default bound).
    prompts = random_prompts(30, input_len=6, output_len=900, range_ratio=0, seed=5)
    target = Target(server.url, "eu-tiny", "/v1/completions", ORIGIN)
    run = asyncio.run(run_level(target, prompts, max_concurrency=30))
    values = summarize(run, "c=30", {}).values
    refused = values["refusals"]["503 server_overloaded"]
    assert values["completed"] >= 12, values["failures"]
    assert values["completed"] + refused["count"] == 30
    assert refused["with_retry_after"] == refused["count"]
    assert refused["max_ms"] < 2000
    assert refused["median_ms"] <= refused["p99_ms"] <= refused["max_ms"]
    served = [r.latency for r in run.records if r.ok]
    assert refused["max_ms"] < max(served) * 1000  # refused at once, not after waiting for a place
    rss = values["server_rss_mib"]
    assert 0 < rss["start"] <= rss["peak"]
    assert rss["end"] <= rss["peak"]
    rows = table_rows({"label": "c=30", "results": {"ours": values}})[1]
    assert [
        "Refused 503 server_overloaded: with Retry-After",
        f"{refused['count']} of {refused['count']}",
    ] in rows
    assert any(row[0] == "Server RSS, start / peak / end (MiB)" for row in rows)


def test_the_cli_compares_two_endpoints_and_writes_json_markdown_and_png(
    server: Server, tmp_path: Path
) -> None:
    with recording_proxy(server.url) as (url, proxy):
        result = run_cli(
            "bench",
            "serve",
            "--base-url",
            server.url,
            "--label",
            "direct",
            "--compare",
            url,
            "--compare-label",
            "proxied",
            "--model",
            "eu-tiny",
            "--header",
            "X-Data-Origin: DE",
            "--dataset-name",
            "ecommerce",
            "--num-prompts",
            "6",
            "--random-output-len",
            "6",
            "--max-concurrency",
            "1,3",
            "--num-warmups",
            "1",
            "--goodput",
            "ttft:5000",
            "--json",
            str(tmp_path / "r.json"),
            "--markdown",
            str(tmp_path / "r.md"),
            "--plot",
            str(tmp_path / "r.png"),
            "--disable-tqdm",
            env=server_env(),
            timeout=300,
        )
    assert result.returncode == 0, result.stderr
    assert len(proxy.passages) == 1 + 2 * 6  # one warm-up, then each level's six requests
    report = json.loads((tmp_path / "r.json").read_text())
    assert [level["label"] for level in report["levels"]] == ["c=1", "c=3"]
    for level in report["levels"]:
        direct, proxied = level["results"]["direct"], level["results"]["proxied"]
        assert direct["completed"] == proxied["completed"] == 6
        assert level["ratio"]["output_throughput"] == pytest.approx(
            direct["output_throughput"] / proxied["output_throughput"]
        )
        assert level["ratio"]["ttft.median_ms"] == pytest.approx(
            direct["ttft"]["median_ms"] / proxied["ttft"]["median_ms"]
        )
        assert "pii_detect" in direct["stages"]
    markdown = (tmp_path / "r.md").read_text()
    assert "| Metric | direct | proxied | ratio (1st / 2nd) |" in markdown
    assert "Server stage pii_detect, median (ms)" in markdown
    assert "Median TTFT (ms)" in result.stdout
    from matplotlib import pyplot

    image = pyplot.imread(tmp_path / "r.png")
    assert image.shape[0] > 200
    assert image.shape[1] > 400


def server_env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_all_requests_failing_exits_1_and_names_the_code(server: Server) -> None:
    result = run_cli(
        "bench",
        "serve",
        "--base-url",
        server.url,
        "--model",
        "eu-tiny",
        "--header",
        "X-Data-Origin: US",
        "--num-prompts",
        "3",
        "--num-warmups",
        "0",
        "--disable-tqdm",
        env=server_env(),
        timeout=120,
    )
    assert result.returncode == 1
    assert "Failures: 403 data_origin_mismatch" in result.stdout


def test_workloads(tmp_path: Path) -> None:
    chats = ecommerce_prompts(20, output_len=64, seed=4)
    assert len({p.messages for p in chats}) == 20
    assert all(p.messages[0][0] == "system" and p.messages[1][0] == "user" for p in chats)
    assert ecommerce_prompts(20, output_len=64, seed=4) == chats
    assert any("@" in p.text for p in chats)
    lengths = [
        len(p.text.split()) for p in random_prompts(50, input_len=100, output_len=10, range_ratio=0.2, seed=1)
    ]
    assert min(lengths) >= 80
    assert max(lengths) <= 120
    data = tmp_path / "prompts.jsonl"
    data.write_text('{"prompt": "a"}\n{"messages": [{"role": "user", "content": "b"}], "max_tokens": 5}\n')
    loaded = jsonl_prompts(data, 4, output_len=9, seed=0)
    assert sorted((p.text, p.output_len) for p in loaded) == [("a", 9), ("a", 9), ("b", 5), ("b", 5)]
    data.write_text('{"prompt": "a"}\n{"text": 5}\n')
    with pytest.raises(ConfigError, match=r"prompts.jsonl:2: expected \"prompt\""):
        jsonl_prompts(data, 2, output_len=9, seed=0)


def test_flags_use_vllm_names_and_refuse_bad_values() -> None:
    args = parse(["--max-concurrency", "1,64", "--request-rate", "2,inf", "--header", "X-Data-Origin: DE"])
    assert args.max_concurrency == [1, 64]
    assert args.request_rate == [2.0, math.inf]
    assert args.header == [("X-Data-Origin", "DE")]
    with pytest.raises(SystemExit):
        parse(["--max-concurrency", "0"])
    with pytest.raises(SystemExit):
        parse(["--header", "no colon"])
