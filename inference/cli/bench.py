"""`regional-llm bench`: the privacy stage's timing and the serving benchmark."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inference.cli.common import EXIT_CONFIG, CliError, Commands, add_location_flags, region_screen
from inference.errors import ConfigError


def cmd_bench_serve(args: argparse.Namespace) -> int:
    """Measure an OpenAI-compatible endpoint (or two, side by side) under load."""
    from inference.bench import serve

    try:
        return serve.main(args)
    except (ValueError, ConfigError) as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None


def cmd_bench_privacy(args: argparse.Namespace) -> int:
    """Time the privacy stage against presidio-analyzer on the same messages."""
    from inference.bench.privacy import render, run_privacy_bench, write_json

    region, screen = region_screen(args)
    if not args.no_presidio:
        try:
            import presidio_analyzer  # noqa: F401
        except ImportError:
            raise CliError(
                "presidio-analyzer is not installed: pip install 'regional-llm[bench]', or --no-presidio",
                EXIT_CONFIG,
            ) from None
    result = run_privacy_bench(
        screen,
        region.id,
        size=args.size,
        rounds=args.rounds,
        compare_presidio=not args.no_presidio,
        progress=sys.stderr.isatty(),
    )
    print(render(result))
    if args.json is not None:
        write_json(result, args.json)
    return 0


def register(commands: Commands) -> None:
    """Add `bench privacy` and `bench serve`."""
    bench = commands.add_parser("bench", help="benchmarks", description="Benchmarks that print numbers.")
    bench_commands = bench.add_subparsers(dest="bench_command", metavar="COMMAND", required=True)
    bench_privacy = bench_commands.add_parser(
        "privacy",
        help="time the privacy stage per ~2 KB message, next to presidio-analyzer",
        description="Time PII detection and anonymization per message of about --size characters, built "
        "from the labelled multilingual corpora, and presidio-analyzer (offline: no-op NLP engine, "
        "pattern recognizers) on the same messages in the same run; print median, p90, p99 and the ratio.",
    )
    bench_privacy.add_argument("--region", help="region whose privacy policy applies (default: eu-central-1)")
    bench_privacy.add_argument(
        "--size", type=int, default=2048, help="message size in characters (default 2048)"
    )
    bench_privacy.add_argument("--rounds", type=int, default=20, help="passes over the messages (default 20)")
    bench_privacy.add_argument("--no-presidio", action="store_true", help="time regional-llm only")
    bench_privacy.add_argument("--json", type=Path, help="also write the result as JSON to this file")
    add_location_flags(bench_privacy)
    bench_privacy.set_defaults(handler=cmd_bench_privacy)

    from inference.bench.serve_flags import EPILOG as BENCH_SERVE_EPILOG
    from inference.bench.serve_flags import add_arguments as add_bench_serve_arguments

    bench_serve = bench_commands.add_parser(
        "serve",
        help="latency benchmark of any OpenAI-compatible endpoint, side by side with another",
        description="Send a workload to an OpenAI-compatible endpoint at one or more load levels and print "
        "TTFT, TPOT, ITL, end-to-end latency, throughput, goodput and failures like `vllm bench serve`, "
        "plus the server's own stage times (Server-Timing); with --compare, the same for a second endpoint, "
        "interleaved, with the ratio of each metric.",
        epilog=BENCH_SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_bench_serve_arguments(bench_serve)
    bench_serve.set_defaults(handler=cmd_bench_serve)
