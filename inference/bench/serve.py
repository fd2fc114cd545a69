"""`regional-llm bench serve`: the latency benchmark for any OpenAI-compatible endpoint.

It sends one workload at one or more load levels (fixed concurrency and/or a request rate with Poisson
arrivals) and reports the metrics of `vllm bench serve` under the same definitions and flag names.
With `--compare URL2` it runs the same workload against a second endpoint (a bare engine, say), the
two interleaved level by level, and prints each metric for both with their ratio. Where the server
sends Server-Timing (ours does), it also shows where the time went, stage by stage."""

from __future__ import annotations

import argparse
import asyncio
import math
import platform
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from inference.bench.latency import LevelSummary, parse_goodput, summarize
from inference.bench.serve_flags import EPILOG, add_arguments, parse
from inference.bench.serve_report import COMPARED, metric_value, render_text, without_nan, write_outputs
from inference.bench.workload import BenchPrompt, ecommerce_prompts, jsonl_prompts, random_prompts

if TYPE_CHECKING:
    from inference.bench.load import Target

# The flags are re-exported: the CLI builds this command's parser and runs it through this module alone.
__all__ = [
    "EPILOG",
    "Level",
    "add_arguments",
    "levels_of",
    "main",
    "parse",
    "run_benchmark",
    "targets_of",
    "workload",
]


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


def levels_of(args: argparse.Namespace) -> list[Level]:
    """Every concurrency with every request rate, in the order given."""
    concurrencies: list[int | None] = list(args.max_concurrency) if args.max_concurrency else [None]
    return [Level(c, r) for c in concurrencies for r in args.request_rate]


def workload(args: argparse.Namespace) -> list[BenchPrompt]:
    """The prompts of the chosen dataset: the warm-up ones first, then the measured ones."""
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
    """The endpoint, and the one of --compare if given, each with its label in the output."""
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
            ".".join(path): _ratio(metric_value(first, path), metric_value(second, path))
            for _, path, _, _ in COMPARED
        }
    return result


def _ratio(a: float, b: float) -> float | None:
    return None if not b or math.isnan(a) or math.isnan(b) else a / b


def main(args: argparse.Namespace) -> int:
    """Run `bench serve`; returns the exit status."""
    result = asyncio.run(run_benchmark(args))
    print(render_text(result))
    for path in write_outputs(without_nan(result), args):
        print(f"wrote {path}")
    completed = sum(r["completed"] for level in result["levels"] for r in level["results"].values())
    return 0 if completed else 1
