"""`regional-llm audit`: verify, export and purge the audit trail; incident reports."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from inference.assembly import open_audit_store, read_audit_key
from inference.audit.store import AuditStore, StoreUnavailable
from inference.cli.common import (
    EXIT_CONFIG,
    EXIT_FAILURE,
    CliError,
    Commands,
    add_location_flags,
    checked_catalog,
    settings_from,
)
from inference.config import Settings
from inference.errors import ConfigError


@contextmanager
def opened_store(settings: Settings) -> Iterator[AuditStore]:
    """The configured store, closed afterwards; an unreachable one becomes a one-line error."""
    store = open_audit_store(settings)
    try:
        yield store
    except StoreUnavailable as exc:
        raise CliError(str(exc), EXIT_FAILURE) from None
    finally:
        store.close()


def parse_time(value: str) -> str:
    """A point in time as records store it (ISO 8601 UTC, milliseconds): `2026-11-27`,
    `2026-11-27T14:00`, `2026-11-27T14:00:00+01:00`, or a span back from now, `72h` or `30d`."""
    relative = re.fullmatch(r"(\d+)([hd])", value.strip())
    if relative:
        amount = int(relative.group(1))
        delta = timedelta(hours=amount) if relative.group(2) == "h" else timedelta(days=amount)
        moment = datetime.now(UTC) - delta
    else:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{value!r} is not a time: use 2026-11-27, 2026-11-27T14:00, 2026-11-27T14:00:00Z, 72h or 30d"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Verify the hash chain and print its head."""
    from tqdm import tqdm

    from inference.audit.verify import verify_chain

    settings = settings_from(args)
    key = read_audit_key(settings)
    bar = tqdm(
        desc="verifying", unit=" records", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False
    )
    with opened_store(settings) as store, bar:
        result = verify_chain(store, key, bar.update)
    if not result.ok:
        print(f"FAILED  {store.shown}: {result.problem} ({result.records} records verified before it)")
        return EXIT_FAILURE
    span = f"seq {result.first_seq}..{result.head_seq}" if result.records else "empty"
    print(
        f"ok  {store.shown}: {result.records} records ({span}); "
        f"head seq={result.head_seq} hash={result.head_hash}"
    )
    return 0


def cmd_audit_export(args: argparse.Namespace) -> int:
    """Write records as JSON lines or CSV to standard output."""
    from inference.audit.report import export
    from inference.audit.store import Filters

    filters = Filters(
        since=args.since, until=args.until, origin=args.origin, decision=args.decision, build=args.build_id
    )
    with opened_store(settings_from(args)) as store:
        count = export(store.records(filters), sys.stdout, args.format)
    print(f"{count} records exported", file=sys.stderr)
    return 0


def cmd_audit_purge(args: argparse.Namespace) -> int:
    """Delete records older than the region's retention; the chain goes on from an anchor."""
    import uuid

    from inference.audit.record import AuditRecord, writer_label
    from inference.audit.writer import utc_now

    settings = settings_from(args)
    try:
        region = checked_catalog(settings).region(settings.region).policy
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    key = read_audit_key(settings)
    days = region.audit.retention_days
    cutoff = parse_time(f"{days}d")
    notice = AuditRecord(
        record_id=uuid.uuid4().hex,
        time=utc_now(),
        request_id="-",
        region=region.id,
        endpoint="audit.purge",
        identity="regional-llm audit purge",
        origins="",
        build="-",
        build_digest="-",
        decision="purge",
        reason=f"retention {days} days: records before {cutoff}",
        status=0,
        writer=writer_label(),
    )
    with opened_store(settings) as store:
        deleted = store.purge(cutoff, key, notice)
    print(
        f"{deleted} records older than {days} days deleted from {store.shown}; "
        f"the purge is recorded as seq {notice.seq}"
    )
    return 0


def cmd_audit_incident(args: argparse.Namespace) -> int:
    """Print the facts of a time window for a breach notification, as Markdown or JSON."""
    from inference.audit.report import incident, incident_markdown
    from inference.audit.store import Filters

    with opened_store(settings_from(args)) as store:
        facts = incident(store.records(Filters(since=args.since, until=args.until)), args.since, args.until)
    print(json.dumps(facts, indent=2) if args.format == "json" else incident_markdown(facts), end="\n")
    return 0


def register(commands: Commands) -> None:
    """Add `audit verify`, `audit export`, `audit purge` and `audit incident`."""
    audit = commands.add_parser(
        "audit",
        help="verify, export, purge the audit trail; incident reports",
        description="The audit trail. With no options, every command acts on the store `serve` uses "
        "(REGIONAL_LLM_AUDIT_URL, else the SQLite file in the data folder).",
    )
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)

    def audit_command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        parser = audit_commands.add_parser(name, help=help_text, description=description)
        parser.add_argument("--audit-url", help="sqlite:///PATH or postgresql://... (default: as serve)")
        parser.add_argument("--data-dir", type=Path, help="folder of the embedded store and its key")
        return parser

    verify_audit = audit_command(
        "verify",
        "verify the hash chain",
        "Check every record: sequence, link to the one before, keyed hash. Names the first bad record and "
        "exits 1; prints the head (seq and hash) otherwise. Keep the head somewhere else to detect a "
        "truncated tail later (the server also logs it every 1,000 records).",
    )
    verify_audit.set_defaults(handler=cmd_audit_verify)
    export_audit = audit_command("export", "export records as JSON lines or CSV", "Write records to stdout.")
    export_audit.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    export_audit.add_argument("--since", type=parse_time, help="from this time (2026-11-27, ...T14:00, 72h)")
    export_audit.add_argument("--until", type=parse_time, help="before this time")
    export_audit.add_argument("--origin", help="only records whose origins include this code")
    export_audit.add_argument("--decision", choices=["served", "refused", "failed", "aborted", "purge"])
    export_audit.add_argument("--build", dest="build_id", help="only records of this build id")
    export_audit.set_defaults(handler=cmd_audit_export)
    purge_audit = audit_command(
        "purge",
        "delete records older than the region's retention",
        "Delete records older than the region policy's audit.retention_days. The last deleted record "
        "becomes the anchor from which the chain still verifies, and the purge is itself recorded.",
    )
    purge_audit.add_argument("--region", help="region whose retention applies (default: eu-central-1)")
    add_location_flags(purge_audit)
    purge_audit.set_defaults(handler=cmd_audit_purge)
    incident_audit = audit_command(
        "incident",
        "facts for a breach notification",
        "Requests, decisions, data origins, caller identities, model builds and categories of personal "
        "data of a time window: what a 72-hour notification (GDPR Art. 33) needs, from the audit trail.",
    )
    incident_audit.add_argument(
        "--since", type=parse_time, required=True, help="start (2026-11-27, 72h, ...)"
    )
    incident_audit.add_argument("--until", type=parse_time, help="end (default: now)")
    incident_audit.add_argument("--format", choices=["markdown", "json"], default="markdown")
    incident_audit.set_defaults(handler=cmd_audit_incident)
