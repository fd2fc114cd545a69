"""`regional-llm keys`: create, list and revoke the API keys of a grants file."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from inference.cli.common import (
    EXIT_CONFIG,
    EXIT_FAILURE,
    CliError,
    Commands,
    add_location_flags,
    checked_catalog,
    settings_from,
)
from inference.configfile import first_error
from inference.errors import ConfigError

_KEYS_EPILOG = """\
examples:
  regional-llm keys create --label eu-storefront --origins EU --builds eu-smollm2-135m-demo --rate 600
  regional-llm keys create --label crm-de --origins DE,AT --expires 2027-06-30
  regional-llm keys list
  regional-llm keys revoke 3f9a2b1c4d5e

The grants file is --keys-file, else REGIONAL_LLM_API_KEYS_FILE. It holds salted hashes, never a
secret; it is created mode 600 and replaced atomically, and a running server re-reads it when it
changes. `create` prints the secret once, on standard output (the rest goes to standard error): put it
in the caller's secret store right away. Client-certificate grants are written by hand (see docs/callers.md).
Exit status: 0 ok, 1 the file could not be written, 2 bad usage or a broken grants file.
"""


def _codes(value: str) -> list[str]:
    """`--origins DE,FR` as validated, upper-case codes."""
    from inference.policy.region import normalize_code

    try:
        return [normalize_code(code) for code in value.split(",")]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _expiry(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date: use 2027-06-30 or 2027-06-30T12:00:00Z"
        ) from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment <= datetime.now(UTC):
        raise argparse.ArgumentTypeError(f"{value!r} is not in the future")
    return moment


def _keys_file(args: argparse.Namespace) -> Path:
    path: Path | None = args.keys_file or settings_from(args).api_keys_file
    if path is None:
        raise CliError("no grants file: pass --keys-file or set REGIONAL_LLM_API_KEYS_FILE", EXIT_CONFIG)
    return path


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else "-"


def cmd_keys_create(args: argparse.Namespace) -> int:
    """Add an API key to the grants file and print its secret, once."""
    from inference.policy.grants import GrantsFile, new_api_key, update_grants

    path = _keys_file(args)
    builds = [b for b in (args.builds or "").split(",") if b]
    if builds:
        known = checked_catalog(settings_from(args)).pinned()
        unknown = [b for b in builds if b not in known]
        if unknown:
            raise CliError(
                f"--builds: no build manifest has id {unknown[0]!r} (see: regional-llm models list)",
                EXIT_CONFIG,
            )
    created: list[tuple[str, str]] = []

    def add(grants: GrantsFile) -> GrantsFile:
        taken = [k.id for k in grants.api_keys]
        grant, secret = new_api_key(args.label, args.origins, builds, args.expires, args.rate, taken)
        created.append((grant.id, secret))
        return grants.model_copy(update={"api_keys": (*grants.api_keys, grant)})

    try:
        update_grants(path, add)
    except ValidationError as exc:
        field, message = first_error(exc)
        raise CliError(f"--{field.replace('_', '-')}: {message}", EXIT_CONFIG) from None
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    except OSError as exc:
        raise CliError(f"{path}: cannot write: {exc.strerror}", EXIT_FAILURE) from None
    key_id, secret = created[0]
    print(secret)
    print(
        f"created API key {key_id} ({args.label}) in {path}; origins {','.join(args.origins)}, "
        f"builds {','.join(builds) or 'all'}, rate {args.rate or 'unlimited'}, "
        f"expires {_when(args.expires) if args.expires else 'never'}. The secret above is shown only now.",
        file=sys.stderr,
    )
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    """List the grants: API keys (never their secrets or hashes) and client-certificate grants."""
    from inference.policy.grants import load_grants

    path = _keys_file(args)
    try:
        grants = load_grants(path)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for key in grants.api_keys:
        if key.revoked is not None and key.revoked <= now:
            status = f"revoked {_when(key.revoked)}"
        elif key.expires is not None and key.expires <= now:
            status = "expired"
        else:
            status = "active"
        rows.append(
            {
                "kind": "key",
                "id": key.id,
                "label": key.label,
                "origins": list(key.origins),
                "builds": list(key.builds),
                "rate": key.rate,
                "expires": _when(key.expires),
                "created": _when(key.created),
                "status": status,
            }
        )
    for cert in grants.client_certificates:
        expired = cert.expires is not None and cert.expires <= now
        rows.append(
            {
                "kind": "cert",
                "id": cert.name,
                "label": cert.label or "-",
                "origins": list(cert.origins),
                "builds": list(cert.builds),
                "rate": cert.rate,
                "expires": _when(cert.expires),
                "created": "-",
                "status": "expired" if expired else "active",
            }
        )
    if args.format == "json":
        for row in rows:
            print(json.dumps(row))
        return 0
    table = [("KIND", "ID", "LABEL", "ORIGINS", "BUILDS", "RATE/MIN", "EXPIRES", "STATUS")]
    for row in rows:
        table.append(
            (
                row["kind"],
                row["id"],
                row["label"],
                ",".join(row["origins"]),
                ",".join(row["builds"]) or "all",
                str(row["rate"] or "-"),
                row["expires"],
                row["status"],
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    """Mark an API key revoked; a running server refuses it as soon as it sees the changed file."""
    from inference.policy.grants import GrantsFile, update_grants

    path = _keys_file(args)
    now = datetime.now(UTC).replace(microsecond=0)
    found: list[datetime | None] = []

    def revoke(grants: GrantsFile) -> GrantsFile:
        key = grants.key(args.key_id)
        if key is None:
            raise CliError(
                f"{path}: no API key has id {args.key_id!r} (see: regional-llm keys list)", EXIT_CONFIG
            )
        found.append(key.revoked)
        if key.revoked is not None:
            return grants
        revoked = key.model_copy(update={"revoked": now})
        keys = tuple(revoked if k.id == key.id else k for k in grants.api_keys)
        return grants.model_copy(update={"api_keys": keys})

    try:
        update_grants(path, revoke)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    except OSError as exc:
        raise CliError(f"{path}: cannot write: {exc.strerror}", EXIT_FAILURE) from None
    if found[0] is not None:
        print(f"API key {args.key_id} was already revoked on {_when(found[0])}")
    else:
        print(f"API key {args.key_id} revoked in {path} at {_when(now)}")
    return 0


def register(commands: Commands) -> None:
    """Add `keys create`, `keys list` and `keys revoke`."""
    keys = commands.add_parser(
        "keys",
        help="create, list and revoke API keys",
        description="API keys in the grants file: each with a label, the data origins and builds it may "
        "use, an optional expiry and a rate limit.",
        epilog=_KEYS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    key_commands = keys.add_subparsers(dest="keys_command", metavar="COMMAND", required=True)

    def key_command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        parser = key_commands.add_parser(
            name,
            help=help_text,
            description=description,
            epilog=_KEYS_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.add_argument(
            "--keys-file", type=Path, help="the grants file (default: REGIONAL_LLM_API_KEYS_FILE)"
        )
        return parser

    create_key = key_command(
        "create",
        "create a key and print its secret once",
        "Create an API key, store its salted hash in the grants file and print the secret (once).",
    )
    create_key.add_argument("--label", required=True, help="who holds the key, e.g. eu-storefront")
    create_key.add_argument(
        "--origins",
        required=True,
        type=_codes,
        metavar="CODES",
        help="data-origin codes it may send, comma-separated (DE,FR or EU); EU and EEA cover their states",
    )
    create_key.add_argument(
        "--builds", metavar="IDS", help="build ids it may use, comma-separated (default: every build served)"
    )
    create_key.add_argument(
        "--expires", type=_expiry, metavar="DATE", help="refused from then on (2027-06-30 is midnight UTC)"
    )
    create_key.add_argument("--rate", type=int, metavar="N", help="requests per minute, per server process")
    add_location_flags(create_key)
    create_key.set_defaults(handler=cmd_keys_create)
    list_keys = key_command(
        "list", "list keys and certificate grants", "List the grants; never a secret or a hash."
    )
    list_keys.add_argument("--format", choices=["table", "json"], default="table")
    list_keys.set_defaults(handler=cmd_keys_list)
    revoke_key = key_command(
        "revoke",
        "revoke a key",
        "Mark a key revoked; running servers refuse it as soon as they see the changed file.",
    )
    revoke_key.add_argument("key_id", metavar="ID", help="the key's id (see: keys list)")
    revoke_key.set_defaults(handler=cmd_keys_revoke)
