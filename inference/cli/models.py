"""`regional-llm models`: list, verify and hash model builds."""

from __future__ import annotations

import argparse
from pathlib import Path

from inference.builds.digest import folder_files, sha256_file
from inference.builds.manifest import AdapterBuild
from inference.builds.verify import verify_build
from inference.catalog import display_path
from inference.cli.common import (
    EXIT_CONFIG,
    EXIT_FAILURE,
    CliError,
    Commands,
    add_cache_flag,
    add_location_flags,
    checked_catalog,
    settings_from,
)
from inference.errors import BuildVerificationError


def cmd_models_list(args: argparse.Namespace) -> int:
    """List build manifests and which regions may serve each."""
    settings = settings_from(args)
    catalog = checked_catalog(settings)
    rows = [("BUILD", "KIND", "JURISDICTION", "ALIASES", "REGIONS", "DIGEST", "MANIFEST")]
    for build_id, loaded in sorted(catalog.pinned().items()):
        build = loaded.build
        regions = [r.policy.id for r in catalog.regions.values() if build_id in r.policy.builds]
        if args.region and args.region not in regions:
            continue
        kind = f"lora:{build.base}" if isinstance(build, AdapterBuild) else "model"
        rows.append(
            (
                build_id,
                kind,
                build.jurisdiction,
                ",".join(build.aliases) or "-",
                ",".join(regions) or "-",
                f"sha256:{build.digest[:16]}",
                loaded.shown,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_models_verify(args: argparse.Namespace) -> int:
    """Verify the digests of the named builds (all builds if none is named)."""
    settings = settings_from(args)
    catalog = checked_catalog(settings)
    pinned = catalog.pinned()
    names = args.builds or sorted(pinned)
    unknown = [n for n in names if n not in pinned]
    if unknown:
        raise CliError(
            f"no build manifest has id {unknown[0]!r} (see: regional-llm models list)", EXIT_CONFIG
        )
    failed = 0
    for name in names:
        loaded = pinned[name]
        try:
            folder = verify_build(loaded, settings.cache_dir)
        except BuildVerificationError as exc:
            failed += 1
            print(f"FAILED  {loaded.shown}: {exc}")
            continue
        print(f"ok      {loaded.build.reference} ({len(loaded.build.files)} files in {display_path(folder)})")
    return EXIT_FAILURE if failed else 0


def cmd_models_hash(args: argparse.Namespace) -> int:
    """Print the `files:` section of a manifest for every file in a folder."""
    folder: Path = args.folder
    if not folder.is_dir():
        raise CliError(f"{folder} is not a folder", EXIT_CONFIG)
    print("files:")
    for path in folder_files(folder):
        print(f"  - path: {path}\n    sha256: {sha256_file(folder / path)}")
    return 0


def register(commands: Commands) -> None:
    """Add `models list`, `models verify` and `models hash`."""
    models = commands.add_parser(
        "models", help="list, verify and hash model builds", description="Model build tools."
    )
    model_commands = models.add_subparsers(dest="models_command", metavar="COMMAND", required=True)
    listing = model_commands.add_parser("list", help="list build manifests and the regions that serve them")
    listing.add_argument("--region", help="only builds this region may serve")
    add_location_flags(listing)
    listing.set_defaults(handler=cmd_models_list)
    verify = model_commands.add_parser(
        "verify",
        help="verify the SHA-256 of every file of builds",
        description="Verify every file of the named builds (default: all) against their manifests. "
        "The demo build is converted on first use. Exit 1 if any build fails.",
    )
    verify.add_argument("builds", nargs="*", metavar="BUILD", help="build ids (default: all builds)")
    add_location_flags(verify)
    add_cache_flag(verify)
    verify.set_defaults(handler=cmd_models_verify)
    digest = model_commands.add_parser(
        "hash",
        help="print the files: section of a manifest for a folder",
        description="Print every file of FOLDER with its SHA-256, as the `files:` section of a manifest.",
    )
    digest.add_argument("folder", type=Path, metavar="FOLDER")
    digest.set_defaults(handler=cmd_models_hash)
