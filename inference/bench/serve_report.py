"""What `regional-llm bench serve` shows and writes: the tables per load level (text and Markdown), the
latency chart, and the JSON result files."""

from __future__ import annotations

import argparse
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Metrics compared side by side: (label, key path, unit, higher is better).
COMPARED: tuple[tuple[str, tuple[str, ...], str, bool], ...] = (
    ("Request throughput", ("request_throughput",), "req/s", True),
    ("Output token throughput", ("output_throughput",), "tok/s", True),
    ("Total token throughput", ("total_token_throughput",), "tok/s", True),
    *(
        (f"{stat.title()} {name.upper()}", (name, f"{stat}_ms"), "ms", False)
        for name in ("ttft", "tpot", "itl", "e2el")
        for stat in ("mean", "median", "p90", "p99")
    ),
)


def metric_value(values: dict[str, Any], path: tuple[str, ...]) -> float:
    """The number at `path` in one endpoint's summary (("ttft", "p99_ms"), say)."""
    current: Any = values
    for key in path:
        current = current[key]
    return float(current)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:,.2f}"
    return str(value)


def table_rows(level: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one level's table: each metric for each endpoint, and the ratio if two."""
    labels = list(level["results"])
    two = len(labels) == 2
    header = ["Metric", *labels, *(["ratio (1st / 2nd)"] if two else [])]
    results = [level["results"][label] for label in labels]
    rows = [
        ["Successful requests", *(str(r["completed"]) for r in results), *([""] if two else [])],
        ["Failed requests", *(str(r["failed"]) for r in results), *([""] if two else [])],
        ["Benchmark duration (s)", *(_cell(r["duration_s"]) for r in results), *([""] if two else [])],
        ["Total input tokens", *(str(r["total_input_tokens"]) for r in results), *([""] if two else [])],
        ["Total generated tokens", *(str(r["total_output_tokens"]) for r in results), *([""] if two else [])],
    ]
    for name, path, unit, _ in COMPARED:
        ratio = level.get("ratio", {}).get(".".join(path))
        rows.append(
            [
                f"{name} ({unit})",
                *(_cell(metric_value(r, path)) for r in results),
                *([_cell(ratio)] if two else []),
            ]
        )
    if "goodput" in results[0]:
        rows.append(
            [
                "Request goodput (req/s)",
                *(_cell(r["goodput"]["requests_per_s"]) for r in results),
                *([""] if two else []),
            ]
        )
    codes = sorted({code for r in results for code in r["failures"]})
    for code in codes:
        rows.append(
            [f"Failures: {code}", *(str(r["failures"].get(code, 0)) for r in results), *([""] if two else [])]
        )
    for code in sorted({code for r in results for code in r.get("refusals", {})}):
        refusals = [r.get("refusals", {}).get(code) for r in results]
        rows.append(
            [
                f"Refused {code}: time to refusal, median / p99 / max (ms)",
                *(
                    "-" if f is None else " / ".join(_cell(f[k]) for k in ("median_ms", "p99_ms", "max_ms"))
                    for f in refusals
                ),
                *([""] if two else []),
            ]
        )
        if any(f is not None and f["server_stages"] for f in refusals):
            rows.append(
                [
                    f"Refused {code}: server's time, median, of it audit (ms)",
                    *(
                        "-"
                        if f is None or "total" not in f["server_stages"]
                        else " / ".join(_cell(f["server_stages"].get(k)) for k in ("total", "audit"))
                        for f in refusals
                    ),
                    *([""] if two else []),
                ]
            )
        rows.append(
            [
                f"Refused {code}: with Retry-After",
                *("-" if f is None else f"{f['with_retry_after']} of {f['count']}" for f in refusals),
                *([""] if two else []),
            ]
        )
    if any("server_rss_mib" in r for r in results):
        rows.append(
            [
                "Server RSS, start / peak / end (MiB)",
                *(
                    " / ".join(f"{r['server_rss_mib'][k]:,.0f}" for k in ("start", "peak", "end"))
                    if "server_rss_mib" in r
                    else "-"
                    for r in results
                ),
                *([""] if two else []),
            ]
        )
    stages = [stage for stage in _stage_order(results) if any(stage in r["stages"] for r in results)]
    for stage in stages:
        cells = [_cell(r["stages"][stage]["median_ms"]) if stage in r["stages"] else "-" for r in results]
        rows.append([f"Server stage {stage}, median (ms)", *cells, *([""] if two else [])])
    return header, rows


def _stage_order(results: list[dict[str, Any]]) -> list[str]:
    from inference.api.timing import STAGES

    seen = {stage for r in results for stage in r["stages"]}
    return [s for s in (*STAGES, "total") if s in seen] + sorted(seen - {*STAGES, "total"})


def render_text(result: dict[str, Any]) -> str:
    """Every level's table as aligned plain text, for the terminal."""
    lines = []
    for level in result["levels"]:
        header, rows = table_rows(level)
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        title = f" {level['label']} ({result['num_prompts']} requests, {result['endpoint']}) "
        lines.append(title.center(sum(widths) + 2 * (len(widths) - 1), "="))
        for row in [header, *rows]:
            lines.append(
                "  ".join(
                    c.ljust(w) if i == 0 else c.rjust(w)
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )
        lines.append("")
    return "\n".join(lines)


def render_markdown(result: dict[str, Any]) -> str:
    """The endpoints, the workload and every level's table as a Markdown document."""
    lines = [f"# bench serve, {result['date']}", ""]
    targets = ", ".join(f"{t['label']} (model {t['model']})" for t in result["targets"])
    lines += [
        f"Endpoints: {targets}. Workload: {result['dataset_name']}, "
        f"{result['num_prompts']} requests per level.",
        "",
    ]
    for level in result["levels"]:
        header, rows = table_rows(level)
        lines += [f"## {level['label']}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


def plot(result: dict[str, Any], path: Path) -> None:
    """Latency percentiles (TTFT and TPOT: median, p90, p99) against the load levels, per endpoint."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    levels = [level["label"] for level in result["levels"]]
    figure, axes = pyplot.subplots(1, 2, figsize=(11, 4.2))
    for axis, metric in zip(axes, ("ttft", "tpot"), strict=True):
        for index, target in enumerate(result["targets"]):
            label = target["label"]
            for stat, marker in (("median", "o"), ("p90", "s"), ("p99", "^")):
                values = [level["results"][label][metric][f"{stat}_ms"] for level in result["levels"]]
                axis.plot(
                    levels,
                    values,
                    marker=marker,
                    linestyle="-" if index == 0 else "--",
                    label=f"{label} {stat}",
                )
        axis.set_title(f"{metric.upper()} (ms) against load")
        axis.set_xlabel("load level")
        axis.set_ylabel("milliseconds")
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=110)
    pyplot.close(figure)


def write_outputs(result: dict[str, Any], args: argparse.Namespace) -> list[Path]:
    """The files asked for; returns their paths."""
    written = []
    json_paths = [p for p in (args.json,) if p is not None]
    if args.save_result:
        name = args.result_filename or f"bench-serve-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.json"
        json_paths.append(args.result_dir / name)
    for path in json_paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2, allow_nan=False, default=str) + "\n", encoding="utf-8")
        written.append(path)
    if args.markdown is not None:
        args.markdown.write_text(render_markdown(result) + "\n", encoding="utf-8")
        written.append(args.markdown)
    if args.plot is not None:
        plot(result, args.plot)
        written.append(args.plot)
    return written


def without_nan(value: Any) -> Any:
    """NaN (a metric with no samples) as null, so that the JSON is standard."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: without_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nan(v) for v in value]
    return value
