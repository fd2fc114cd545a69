"""The `regional-llm` command: one module per command group, each adding its own subcommands."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from inference import __version__
from inference.assembly import SettingRefused, StartFailed
from inference.cli import anonymize, audit, bench, keys, models, policy, serve
from inference.cli.common import EXIT_CONFIG, EXIT_FAILURE, CliError, fail
from inference.logs import configure_logging, exception_summary

_MAIN_EPILOG = """\
examples:
  regional-llm serve                          # demo region eu-central-1, demo model, 127.0.0.1:8000
  regional-llm serve --region us-east-1 --port 8001
  regional-llm policy check                   # validate every region policy and build manifest
  regional-llm models list
  regional-llm models verify eu-smollm2-135m-demo
  regional-llm models hash ./weights/my-build # digests for a new build manifest
  regional-llm keys create --label eu-storefront --origins EU   # prints the secret once

Every `serve` option is also an environment variable REGIONAL_LLM_<OPTION> (e.g. REGIONAL_LLM_REGION).
Exit status: 0 ok, 1 a build failed verification or the engine failed, 2 bad usage or configuration.
"""


def build_parser() -> argparse.ArgumentParser:
    """The full command-line interface."""
    parser = argparse.ArgumentParser(
        prog="regional-llm",
        description="Region-bound LLM inference: an OpenAI-compatible server that serves only its "
        "jurisdiction's model builds and refuses data from origins its region may not process.",
        epilog=_MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"regional-llm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in (serve, keys, anonymize, audit, bench, policy, models):
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `regional-llm` command."""
    args = build_parser().parse_args(argv)
    configure_logging("warning")  # `serve` raises it to its log level
    try:
        status: int = args.handler(args)
    except CliError as exc:
        return fail(str(exc), exc.status)
    except SettingRefused as exc:
        return fail(str(exc), EXIT_CONFIG)
    except StartFailed as exc:
        return fail(str(exc), EXIT_FAILURE)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # No traceback: its message could quote the input being processed.
        return fail(f"unexpected failure: {exception_summary(exc)}", EXIT_FAILURE)
    return status
