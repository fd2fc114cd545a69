"""The flags of `regional-llm bench serve`, with vLLM's names where vLLM has the flag, and its help epilog."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path


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


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parse `bench serve` flags alone (for tests and scripts)."""
    parser = argparse.ArgumentParser(prog="regional-llm bench serve")
    add_arguments(parser)
    return parser.parse_args(argv)
