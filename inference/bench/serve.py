"""`regional-llm bench serve`: the latency benchmark for any OpenAI-compatible endpoint.

It sends one workload at one or more load levels (fixed concurrency and/or a request rate with Poisson
arrivals) and reports the metrics of `vllm bench serve` under the same definitions and flag names.
With `--compare URL2` it runs the same workload against a second endpoint (a bare engine, say), the
two interleaved level by level, and prints each metric for both with their ratio. Where the server
sends Server-Timing (ours does), it also shows where the time went, stage by stage."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference.bench.latency import LevelSummary, parse_goodput, summarize
from inference.bench.workload import BenchPrompt, ecommerce_prompts, jsonl_prompts, random_prompts

if TYPE_CHECKING:
    from inference.bench.load import Target

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


@dataclass(frozen=True)
class Level:
    """One load level: a concurrency cap (None: unlimited) and a request rate (inf: all at once)."""

    max_concurrency: int | None
    request_rate: float

    @property
    def label(self) -> str:
        parts = []
        if self.max_concurrency is not None:
            parts.append(f"c={self.max_concurrency}")
        if self.request_rate != math.inf:
            parts.append(f"rate={self.request_rate:g}/s")
        return " ".join(parts) or "all at once"


def _int_list(value: str) -> list[int]:
    try:
        numbers = [int(part) for part in value.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected whole numbers separated by commas, got {value!r}"
        ) from None
    if any(n < 1 for n in numbers):
        raise argparse.ArgumentTypeError(f"every concurrency must be at least 1, got {value!r}")
    return numbers


def _rate_list(value: str) -> list[float]:
    try:
        rates = [float(part) for part in value.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers or inf separated by commas, got {value!r}"
        ) from None
    if any(not r > 0 for r in rates):
        raise argparse.ArgumentTypeError(f"every request rate must be positive, got {value!r}")
    return rates


def _header(value: str) -> tuple[str, str]:
    name, sep, content = value.partition(":")
    if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
        raise argparse.ArgumentTypeError(f"expected 'Name: value', got {value!r}")
    return name.strip(), content.strip()


EPILOG = """\
examples:
  # our server (EU region) at 1, 8 and 32 concurrent streams, e-commerce chats with PII in them
  regional-llm bench serve --base-url http://127.0.0.1:8000 --header 'X-Data-Origin: DE' \\
      --dataset-name ecommerce --num-prompts 200 --max-concurrency 1,8,32 --plot latency.png

  # the same workload against our server and the bare vLLM server, interleaved, with ratios
  regional-llm bench serve --base-url http://127.0.0.1:8000 --header 'X-Data-Origin: DE' \\
      --compare http://127.0.0.1:8100 --compare-model my-model --max-concurrency 1,64 \\
      --random-input-len 256 --random-output-len 128 --markdown bench.md --save-result

  # Poisson arrivals at 2 and 4 requests/s, goodput under SLOs
  regional-llm bench serve --request-rate 2,4 --goodput ttft:500 tpot:50 --header 'X-Data-Origin: DE'

Metrics follow `vllm bench serve`: TTFT (sending to the first chunk with output), TPOT ((latency - TTFT)
/ (output tokens - 1)), ITL (between chunks with output), E2EL (sending to the last chunk); throughput
over the level's wall time; token counts from the server's usage (stream_options.include_usage).
Exit status: 0 done, 1 every request failed, 2 bad usage.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `bench serve` (vLLM's names where vLLM has the flag)."""
    target = parser.add_argument_group("endpoint")
    target.add_argument(
        "--base-url", default="http://127.0.0.1:8000", help="server to measure (default: %(default)s)"
    )
    target.add_argument(
        "--endpoint",
        default="/v1/chat/completions",
        choices=["/v1/chat/completions", "/v1/completions"],
        help="API path (default: %(default)s)",
    )
    target.add_argument("--model", default="assistant", help="model name to request (default: %(default)s)")
    target.add_argument(
        "--header",
        action="append",
        type=_header,
        default=[],
        metavar="'NAME: VALUE'",
        help="header for every request, repeatable: 'X-Data-Origin: DE', 'Authorization: Bearer ...'",
    )
    target.add_argument(
        "--label", default=None, help="name of this endpoint in the output (default: its URL)"
    )
    compare = parser.add_argument_group("side by side")
    compare.add_argument("--compare", metavar="URL2", help="second endpoint, run interleaved with the first")
    compare.add_argument("--compare-model", help="model name at URL2 (default: --model)")
    compare.add_argument(
        "--compare-header",
        action="append",
        type=_header,
        default=[],
        metavar="'NAME: VALUE'",
        help="header for URL2 (default: the same --header values)",
    )
    compare.add_argument(
        "--compare-label", default=None, help="name of URL2 in the output (default: its URL)"
    )
    data = parser.add_argument_group("workload")
    data.add_argument(
        "--dataset-name",
        choices=["random", "ecommerce", "jsonl"],
        default="random",
        help="random: synthetic prompts of chosen lengths; ecommerce: customer-service chats with CRM "
        "data and PII; jsonl: --dataset-path (default: %(default)s)",
    )
    data.add_argument(
        "--dataset-path", type=Path, help='JSONL file of {"prompt": ...} or {"messages": [...]}'
    )
    data.add_argument(
        "--num-prompts", type=int, default=100, help="requests per level (default: %(default)s)"
    )
    data.add_argument(
        "--random-input-len",
        type=int,
        default=256,
        help="prompt length in words, about tokens (default: %(default)s)",
    )
    data.add_argument(
        "--random-output-len", type=int, default=128, help="max_tokens asked for (default: %(default)s)"
    )
    data.add_argument(
        "--random-range-ratio",
        type=float,
        default=0.0,
        help="lengths vary uniformly by this share (default: 0)",
    )
    data.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (default: greedy)")
    data.add_argument("--seed", type=int, default=0, help="seed of prompts and arrivals (default: 0)")
    load = parser.add_argument_group("load")
    load.add_argument(
        "--max-concurrency",
        type=_int_list,
        default=None,
        metavar="N[,N...]",
        help="requests in flight at most; several values give several levels (default: unlimited)",
    )
    load.add_argument(
        "--request-rate",
        type=_rate_list,
        default=[math.inf],
        metavar="R[,R...]",
        help="requests per second, Poisson arrivals; several values give several levels (default: inf)",
    )
    load.add_argument("--burstiness", type=float, default=1.0, help="gamma shape of arrivals; 1 is Poisson")
    load.add_argument("--num-warmups", type=int, default=2, help="unmeasured requests per endpoint first")
    load.add_argument(
        "--request-timeout", type=float, default=600.0, help="seconds per request (default: 600)"
    )
    load.add_argument(
        "--goodput",
        nargs="+",
        default=[],
        metavar="METRIC:MS",
        help="SLOs for goodput, like vLLM: ttft:500 tpot:50 e2el:5000 (milliseconds)",
    )
    out = parser.add_argument_group("output")
    out.add_argument("--save-result", action="store_true", help="write the results as JSON (like vLLM)")
    out.add_argument("--result-dir", type=Path, default=Path("."), help="folder of --save-result")
    out.add_argument(
        "--result-filename", help="file name of --save-result (default: bench-serve-<time>.json)"
    )
    out.add_argument("--json", type=Path, help="write the results as JSON to this file")
    out.add_argument("--markdown", type=Path, help="write the tables as Markdown to this file")
    out.add_argument("--plot", type=Path, help="write a PNG chart of latency percentiles against load")
    out.add_argument("--disable-tqdm", action="store_true", help="no progress bar")


def levels_of(args: argparse.Namespace) -> list[Level]:
    concurrencies: list[int | None] = list(args.max_concurrency) if args.max_concurrency else [None]
    return [Level(c, r) for c in concurrencies for r in args.request_rate]


def workload(args: argparse.Namespace) -> list[BenchPrompt]:
    count = args.num_prompts + args.num_warmups
    if args.dataset_name == "ecommerce":
        return ecommerce_prompts(count, args.random_output_len, args.seed)
    if args.dataset_name == "jsonl":
        if args.dataset_path is None:
            raise ValueError("--dataset-name jsonl needs --dataset-path FILE")
        return jsonl_prompts(args.dataset_path, count, args.random_output_len, args.seed)
    return random_prompts(
        count, args.random_input_len, args.random_output_len, args.random_range_ratio, args.seed
    )


def targets_of(args: argparse.Namespace) -> list[tuple[str, Target]]:
    from inference.bench.load import Target

    first = Target(args.base_url, args.model, args.endpoint, tuple(args.header), args.temperature)
    targets = [(args.label or args.base_url, first)]
    if args.compare:
        headers = tuple(args.compare_header) if args.compare_header else tuple(args.header)
        second = Target(
            args.compare, args.compare_model or args.model, args.endpoint, headers, args.temperature
        )
        label = args.compare_label or args.compare
        if label == targets[0][0]:
            label += " (2)"
        targets.append((label, second))
    return targets


async def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Every level against every target, interleaved, and the summaries with ratios."""
    # Imported here: the CLI builds this command's parser on every run, and needs neither to parse flags.
    from tqdm import tqdm

    from inference.bench.load import run_level

    slos = parse_goodput(args.goodput)
    prompts = workload(args)
    warmups, measured = prompts[: args.num_warmups], prompts[args.num_warmups :]
    targets = targets_of(args)
    levels = levels_of(args)
    for _, target in targets:
        if warmups:
            await run_level(target, warmups, max_concurrency=1, request_timeout=args.request_timeout)
    total = len(levels) * len(targets) * len(measured)
    results = []
    with tqdm(total=total, desc="bench serve", unit="req", file=sys.stderr, disable=args.disable_tqdm) as bar:
        for index, level in enumerate(levels):
            # Alternate the order level by level, so that neither endpoint always runs on a warmer machine.
            order = targets if index % 2 == 0 else list(reversed(targets))
            summaries: dict[str, LevelSummary] = {}
            for label, target in order:
                bar.set_postfix_str(f"{level.label} {label}")
                run = await run_level(
                    target,
                    measured,
                    max_concurrency=level.max_concurrency,
                    request_rate=level.request_rate,
                    burstiness=args.burstiness,
                    seed=args.seed,
                    on_done=lambda: bar.update(1),
                    request_timeout=args.request_timeout,
                )
                summaries[label] = summarize(run, level.label, slos)
            results.append(_level_result(level, [label for label, _ in targets], summaries))
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "endpoint": args.endpoint,
        "targets": [{"label": label, "base_url": t.base_url, "model": t.model} for label, t in targets],
        "dataset_name": args.dataset_name,
        "num_prompts": len(measured),
        "random_input_len": args.random_input_len if args.dataset_name == "random" else None,
        "random_output_len": args.random_output_len,
        "seed": args.seed,
        "levels": results,
    }


def _value(values: dict[str, Any], path: tuple[str, ...]) -> float:
    current: Any = values
    for key in path:
        current = current[key]
    return float(current)


def _level_result(level: Level, labels: list[str], summaries: dict[str, LevelSummary]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "label": level.label,
        "max_concurrency": level.max_concurrency,
        "request_rate": None if level.request_rate == math.inf else level.request_rate,
        "results": {label: summaries[label].values for label in labels},
    }
    if len(labels) == 2:
        first, second = (summaries[label].values for label in labels)
        result["ratio"] = {
            ".".join(path): _ratio(_value(first, path), _value(second, path)) for _, path, _, _ in COMPARED
        }
    return result


def _ratio(a: float, b: float) -> float | None:
    return None if not b or math.isnan(a) or math.isnan(b) else a / b


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
            [f"{name} ({unit})", *(_cell(_value(r, path)) for r in results), *([_cell(ratio)] if two else [])]
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


def main(args: argparse.Namespace) -> int:
    """Run `bench serve`; returns the exit status."""
    result = asyncio.run(run_benchmark(args))
    print(render_text(result))
    for path in write_outputs(_finite(result), args):
        print(f"wrote {path}")
    completed = sum(r["completed"] for level in result["levels"] for r in level["results"].values())
    return 0 if completed else 1


def _finite(value: Any) -> Any:
    """NaN (a metric with no samples) as null, so that the JSON is standard."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parse `bench serve` flags alone (for tests and scripts)."""
    parser = argparse.ArgumentParser(prog="regional-llm bench serve")
    add_arguments(parser)
    return parser.parse_args(argv)
