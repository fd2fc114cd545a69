"""All region policies and model build manifests, loaded and cross-checked together at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from inference.builds.manifest import ModelBuild
from inference.configfile import load_model
from inference.errors import ConfigError
from inference.policy.region import RegionPolicy


def display_path(path: Path) -> str:
    """A path as a user would type it: relative to the working directory when it lies below it."""
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class LoadedRegion:
    """A region policy and the file it came from."""

    policy: RegionPolicy
    file: Path

    @property
    def shown(self) -> str:
        return display_path(self.file)


@dataclass(frozen=True)
class LoadedBuild:
    """A build manifest and the file it came from."""

    build: ModelBuild
    file: Path

    @property
    def shown(self) -> str:
        return display_path(self.file)


@dataclass
class Catalog:
    """Every region and build found, and every problem found while loading them."""

    regions: dict[str, LoadedRegion] = field(default_factory=dict)
    builds: dict[str, LoadedBuild] = field(default_factory=dict)
    errors: list[ConfigError] = field(default_factory=list)

    def region(self, region_id: str) -> LoadedRegion:
        """The region with this id, or a `ConfigError` that lists the known ones."""
        if region_id not in self.regions:
            known = ", ".join(sorted(self.regions)) or "none"
            raise ConfigError("--region", None, f"no region policy {region_id!r} (known regions: {known})")
        return self.regions[region_id]

    def build_for(self, region: LoadedRegion, build_id: str | None) -> LoadedBuild:
        """The build a server of `region` serves: `build_id` if given, else the region's default."""
        chosen = build_id or region.policy.served_build
        if chosen not in region.policy.builds:
            allowed = ", ".join(region.policy.builds)
            raise ConfigError(
                "--build",
                None,
                f"region {region.policy.id} may not serve build {chosen!r} (it may serve: {allowed})",
            )
        return self.builds[chosen]


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.y*ml") if p.is_file() and p.suffix in (".yaml", ".yml"))


def _load_builds(models_dir: Path, catalog: Catalog) -> None:
    if not models_dir.is_dir():
        catalog.errors.append(
            ConfigError(display_path(models_dir), None, "model build folder does not exist")
        )
        return
    for folder in sorted(p for p in models_dir.iterdir() if p.is_dir()):
        for file in _yaml_files(folder):
            shown = display_path(file)
            try:
                build = load_model(file, ModelBuild, shown)
            except ConfigError as exc:
                catalog.errors.append(exc)
                continue
            if build.jurisdiction.lower() != folder.name.lower():
                catalog.errors.append(
                    ConfigError(
                        shown,
                        "jurisdiction",
                        f"{build.jurisdiction!r} does not match the folder it is in ({folder.name!r})",
                    )
                )
                continue
            clash = next((other for other in catalog.builds.values() if _clashes(build, other.build)), None)
            if clash is not None:
                catalog.errors.append(
                    ConfigError(
                        shown, "id", f"{build.id!r} or one of its aliases is also used by {clash.shown}"
                    )
                )
                continue
            catalog.builds[build.id] = LoadedBuild(build, file)


def _clashes(build: ModelBuild, other: ModelBuild) -> bool:
    """Build ids are unique everywhere; an alias only within a jurisdiction (a server serves one)."""
    if build.id in (other.id, *other.aliases) or other.id in build.aliases:
        return True
    return build.jurisdiction == other.jurisdiction and bool(set(build.aliases) & set(other.aliases))


def _load_regions(regions_dir: Path, catalog: Catalog) -> None:
    if not regions_dir.is_dir():
        catalog.errors.append(
            ConfigError(display_path(regions_dir), None, "region policy folder does not exist")
        )
        return
    for file in _yaml_files(regions_dir):
        shown = display_path(file)
        try:
            policy = load_model(file, RegionPolicy, shown)
        except ConfigError as exc:
            catalog.errors.append(exc)
            continue
        if policy.id != file.stem:
            catalog.errors.append(
                ConfigError(
                    shown, "id", f"{policy.id!r} must equal the file name without .yaml ({file.stem!r})"
                )
            )
            continue
        problem = _check_region_builds(policy, catalog)
        if problem is not None:
            catalog.errors.append(ConfigError(shown, *problem))
            continue
        catalog.regions[policy.id] = LoadedRegion(policy, file)


def _check_region_builds(policy: RegionPolicy, catalog: Catalog) -> tuple[str, str] | None:
    for index, build_id in enumerate(policy.builds):
        loaded = catalog.builds.get(build_id)
        if loaded is None:
            return f"builds[{index}]", f"no model build manifest has id {build_id!r}"
        if loaded.build.jurisdiction != policy.jurisdiction:
            return (
                f"builds[{index}]",
                f"{build_id!r} is a {loaded.build.jurisdiction} build ({loaded.shown}); "
                f"a {policy.jurisdiction} region may serve only {policy.jurisdiction} builds",
            )
    return None


def load_catalog(regions_dir: Path, models_dir: Path) -> Catalog:
    """Load every build manifest, then every region policy, cross-checking regions against builds.

    Problems are collected in `Catalog.errors`, one per broken file, rather than raised, so that
    `regional-llm policy check` can report them all at once.
    """
    catalog = Catalog()
    _load_builds(models_dir, catalog)
    _load_regions(regions_dir, catalog)
    return catalog
