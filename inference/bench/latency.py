"""The numbers of one load level, with the definitions of `vllm bench serve`: TTFT, TPOT, ITL and
end-to-end latency (mean, median, p90, p99), request and token throughput, goodput under SLOs, failures
by error code, and the server's own stage times aggregated per stage; for an overloaded server, its
refusals by code with the time each took and whether it said when to retry, and its resident memory."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from inference.bench.load import LevelRun, RequestRecord

PERCENTILES = (50, 90, 99)
# Names of `--goodput` (as in vLLM): time to first token, time per output token, end-to-end latency.
SLO_METRICS = ("ttft", "tpot", "e2el")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def distribution(values: Sequence[float]) -> dict[str, float]:
    """mean, median, p90, p99 of seconds, in milliseconds."""
    if not values:
        return {"mean_ms": math.nan, "median_ms": math.nan, "p90_ms": math.nan, "p99_ms": math.nan}
    return {
        "mean_ms": sum(values) / len(values) * 1000,
        "median_ms": percentile(values, 50) * 1000,
        "p90_ms": percentile(values, 90) * 1000,
        "p99_ms": percentile(values, 99) * 1000,
    }


def parse_goodput(items: Sequence[str]) -> dict[str, float]:
    """`["ttft:500", "tpot:50"]` as `{"ttft": 0.5, "tpot": 0.05}` (milliseconds on the command line)."""
    slos = {}
    for item in items:
        name, _, value = item.partition(":")
        if name not in SLO_METRICS:
            raise ValueError(f"--goodput {item!r}: the metric must be one of {', '.join(SLO_METRICS)}")
        try:
            milliseconds = float(value)
        except ValueError:
            raise ValueError(f"--goodput {item!r}: the limit must be milliseconds, like ttft:500") from None
        if not milliseconds > 0:
            raise ValueError(f"--goodput {item!r}: the limit must be positive")
        slos[name] = milliseconds / 1000
    return slos


def meets(record: RequestRecord, slos: Mapping[str, float]) -> bool:
    """Whether a successful request met every SLO (a request with one token has no TPOT to miss)."""
    observed = {"ttft": record.ttft, "tpot": record.tpot, "e2el": record.latency}
    return all(observed[name] is None or observed[name] <= limit for name, limit in slos.items())  # type: ignore[operator]


def refusals_of(records: Sequence[RequestRecord]) -> dict[str, dict[str, Any]]:
    """Requests the server answered with an error status, by `<status> <code>`: how many, how many said
    when to retry (`Retry-After`), the time from sending to the refusal (mean, median, p90, p99, max),
    and the server's own time for it and the audit part of that, where it sends Server-Timing."""
    refused: dict[str, list[RequestRecord]] = {}
    for record in records:
        if record.status >= 400 and record.error is not None:
            refused.setdefault(record.error, []).append(record)
    return {
        code: {
            "count": len(listed),
            "with_retry_after": sum(1 for r in listed if r.retry_after is not None),
            **distribution([r.latency for r in listed]),
            "max_ms": max(r.latency for r in listed) * 1000,
            "server_stages": {
                stage: distribution([r.stages[stage] for r in listed if stage in r.stages])["median_ms"]
                for stage in ("total", "audit")
                if any(stage in r.stages for r in listed)
            },
        }
        for code, listed in sorted(refused.items())
    }


@dataclass
class LevelSummary:
    """One level's metrics, ready for tables and JSON."""

    label: str
    max_concurrency: int | None
    request_rate: float
    values: dict[str, Any]


def summarize(run: LevelRun, label: str, slos: Mapping[str, float]) -> LevelSummary:
    """The metrics of one level against one target."""
    done = [r for r in run.records if r.ok]
    failures = Counter(r.error for r in run.records if not r.ok)
    duration = run.duration or math.nan
    input_tokens = sum(r.prompt_tokens for r in done)
    output_tokens = sum(r.output_tokens for r in done)
    stages: dict[str, list[float]] = {}
    for record in done:
        for stage, seconds in record.stages.items():
            stages.setdefault(stage, []).append(seconds)
    values: dict[str, Any] = {
        "completed": len(done),
        "failed": len(run.records) - len(done),
        "failures": dict(sorted(failures.items(), key=lambda item: str(item[0]))),
        "duration_s": run.duration,
        "total_input_tokens": input_tokens,
        "total_output_tokens": output_tokens,
        "request_throughput": len(done) / duration,
        "output_throughput": output_tokens / duration,
        "total_token_throughput": (input_tokens + output_tokens) / duration,
        "ttft": distribution([r.ttft for r in done if r.ttft is not None]),
        "tpot": distribution([t for r in done if (t := r.tpot) is not None]),
        "itl": distribution([gap for r in done for gap in r.itl]),
        "e2el": distribution([r.latency for r in done]),
        "stages": {stage: distribution(seconds) for stage, seconds in stages.items()},
    }
    refusals = refusals_of(run.records)
    if refusals:
        values["refusals"] = refusals
    if run.server_rss:
        values["server_rss_mib"] = {
            "start": run.server_rss[0] / 2**20,
            "peak": max(run.server_rss) / 2**20,
            "end": run.server_rss[-1] / 2**20,
        }
    if slos:
        good = sum(1 for r in done if meets(r, slos))
        values["goodput"] = {
            "slos_ms": {k: v * 1000 for k, v in slos.items()},
            "requests_per_s": good / duration,
        }
    return LevelSummary(label, run.max_concurrency, run.request_rate, values)
