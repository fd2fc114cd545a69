"""`regional-llm anonymize`: standard input anonymized by a region's privacy policy."""

from __future__ import annotations

import argparse
import sys

from inference.cli.common import EXIT_FAILURE, CliError, Commands, add_location_flags, region_screen

_ANONYMIZE_EPILOG = """\
examples:
  echo 'Hi, I am Anna Schmidt, anna@example.de' | regional-llm anonymize
  regional-llm anonymize --format jsonl < messages.jsonl > messages.anonymized.jsonl
  regional-llm anonymize --format csv < salesforce-report.csv > report.anonymized.csv

jsonl lines in: {"id": ..., "text": ...}; out: {"id", "text", "entities": [{"type", "start", "end"}]},
offsets into the original text. A malformed line is reported on standard error with its number and
skipped; the exit status is then 1.
"""


def cmd_anonymize(args: argparse.Namespace) -> int:
    """Anonymize standard input to standard output by a region's privacy policy."""
    from inference.privacy.cli_anonymize import FORMATS

    region, screen = region_screen(args)
    # Read and write UTF-8 whatever the locale says, and keep CSV line endings as they are.
    source = open(sys.stdin.fileno(), encoding="utf-8", newline="", closefd=False)  # noqa: SIM115
    sink = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="", closefd=False)  # noqa: SIM115
    try:
        return FORMATS[args.format](screen, region.id, source, sink)
    except UnicodeDecodeError:
        raise CliError("standard input is not UTF-8 text", EXIT_FAILURE) from None
    finally:
        sink.flush()


def register(commands: Commands) -> None:
    """Add `anonymize`."""
    anonymize = commands.add_parser(
        "anonymize",
        help="anonymize standard input by a region's privacy policy",
        description="Read text, JSON lines or CSV on standard input and write it anonymized by the region's "
        "privacy policy: pseudonyms consistent over the run, blocked types redacted as <TYPE>.",
        epilog=_ANONYMIZE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    anonymize.add_argument("--region", help="region whose privacy policy applies (default: eu-central-1)")
    anonymize.add_argument("--format", choices=["text", "jsonl", "csv"], default="text", help="input format")
    add_location_flags(anonymize)
    anonymize.set_defaults(handler=cmd_anonymize)
