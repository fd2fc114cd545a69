"""What the commands share: the one-line failure with its exit status, settings from flags and the
environment, the checked catalog, and the location flags."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from pydantic import ValidationError

from inference.assembly import build_privacy_screen
from inference.catalog import Catalog, load_catalog
from inference.config import ServeSettings, Settings, settings_error
from inference.errors import ConfigError
from inference.policy.region import RegionPolicy
from inference.privacy.screen import PrivacyScreen

EXIT_FAILURE = 1
EXIT_CONFIG = 2


class CliError(Exception):
    """A failure to report on one line, with its exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


SettingsT = TypeVar("SettingsT", bound=Settings)


def fail(message: str, status: int) -> int:
    """Print `regional-llm: error: MESSAGE` on standard error; returns `status`."""
    print(f"regional-llm: error: {message}", file=sys.stderr)
    return status


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by the flags that were given."""
    return _settings(args, Settings)


def serve_settings_from(args: argparse.Namespace) -> ServeSettings:
    """`serve`'s settings (with the rules of serving) from the environment and the flags."""
    return _settings(args, ServeSettings)


def _settings(args: argparse.Namespace, kind: type[SettingsT]) -> SettingsT:
    names = set(kind.model_fields)
    overrides: dict[str, Any] = {k: v for k, v in vars(args).items() if k in names and v is not None}
    try:
        return kind(**overrides)
    except ValidationError as exc:
        raise CliError(settings_error(exc), EXIT_CONFIG) from None


def checked_catalog(settings: Settings) -> Catalog:
    """Every region policy and build manifest; any problem stops the command, each on its own line."""
    catalog = load_catalog(settings.regions_dir, settings.models_dir)
    if catalog.errors:
        for error in catalog.errors[:-1]:
            print(f"regional-llm: error: {error}", file=sys.stderr)
        raise CliError(str(catalog.errors[-1]), EXIT_CONFIG)
    return catalog


def region_screen(args: argparse.Namespace) -> tuple[RegionPolicy, PrivacyScreen]:
    """The region named by the flags (or the environment) and its privacy stage."""
    settings = settings_from(args)
    catalog = checked_catalog(settings)
    try:
        region = catalog.region(settings.region).policy
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    return region, build_privacy_screen(settings, region)


def add_location_flags(parser: argparse.ArgumentParser) -> None:
    """`--regions-dir` and `--models-dir`."""
    parser.add_argument("--regions-dir", type=Path, help="folder of region policy files (default: regions/)")
    parser.add_argument("--models-dir", type=Path, help="folder of build manifests (default: models/)")


def add_cache_flag(parser: argparse.ArgumentParser) -> None:
    """`--cache-dir`."""
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="where converted model folders are cached (default: ~/.cache/regional-llm)",
    )


# What `add_subparsers` returns: each command module's `register` adds its commands to it.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
