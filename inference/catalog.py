"""All region policies and model build manifests, loaded and cross-checked together at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from inference.builds.manifest import BUILD_KINDS, AdapterBuild, AnyBuild, ModelBuild, build_class
from inference.configfile import load_model, read_yaml, validate_mapping
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


BuildT = TypeVar("BuildT", ModelBuild, AdapterBuild)


@dataclass(frozen=True)
class LoadedBuild(Generic[BuildT]):
    """A build manifest (a model or an adapter) and the file it came from."""

    build: BuildT
    file: Path

    @property
    def shown(self) -> str:
        return display_path(self.file)


AnyLoaded = LoadedBuild[ModelBuild] | LoadedBuild[AdapterBuild]


@dataclass
class Catalog:
    """Every region and build found, and every problem found while loading them."""

    regions: dict[str, LoadedRegion] = field(default_factory=dict)
    builds: dict[str, LoadedBuild[ModelBuild]] = field(default_factory=dict)
    adapters: dict[str, LoadedBuild[AdapterBuild]] = field(default_factory=dict)
    errors: list[ConfigError] = field(default_factory=list)

    def pinned(self) -> dict[str, AnyLoaded]:
        """Every model and adapter build, by id."""
        return {**self.builds, **self.adapters}

    def region(self, region_id: str) -> LoadedRegion:
        """The region with this id, or a `ConfigError` that lists the known ones."""
        if region_id not in self.regions:
            known = ", ".join(sorted(self.regions)) or "none"
            raise ConfigError("--region", None, f"no region policy {region_id!r} (known regions: {known})")
        return self.regions[region_id]

    def build_for(self, region: LoadedRegion, build_id: str | None) -> LoadedBuild[ModelBuild]:
        """The build a server of `region` serves: `build_id` if given, else the region's default."""
        chosen = build_id or region.policy.served_build
        if chosen in self.adapters and chosen in region.policy.builds:
            raise ConfigError(
                "--build",
                None,
                f"{chosen!r} is a LoRA adapter build: it is served beside its base build "
                f"{self.adapters[chosen].build.base}, which is the one to choose",
            )
        if chosen not in region.policy.builds:
            allowed = ", ".join(b for b in region.policy.builds if b in self.builds)
            raise ConfigError(
                "--build",
                None,
                f"region {region.policy.id} may not serve build {chosen!r} (it may serve: {allowed})",
            )
        return self.builds[chosen]

    def adapters_for(self, region: LoadedRegion, base: ModelBuild) -> list[LoadedBuild[AdapterBuild]]:
        """The adapter builds a server of `region` serves beside `base`: those the region lists on it."""
        return [
            self.adapters[b]
            for b in region.policy.builds
            if b in self.adapters and self.adapters[b].build.base == base.id
        ]


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
                data = read_yaml(file, shown)
                kind = build_class(data)
                if kind is None:
                    raise ConfigError(
                        shown, "kind", f"must be one of {', '.join(BUILD_KINDS)} (got {data['kind']!r})"
                    )
                build: AnyBuild = validate_mapping(data, kind, shown)
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
            clash = next((other for other in catalog.pinned().values() if _clashes(build, other.build)), None)
            if clash is not None:
                catalog.errors.append(
                    ConfigError(
                        shown, "id", f"{build.id!r} or one of its aliases is also used by {clash.shown}"
                    )
                )
                continue
            if isinstance(build, AdapterBuild):
                catalog.adapters[build.id] = LoadedBuild(build, file)
            else:
                catalog.builds[build.id] = LoadedBuild(build, file)
    _check_adapter_bases(catalog)


def _check_adapter_bases(catalog: Catalog) -> None:
    """An adapter's base must be a model build of the same jurisdiction."""
    for build_id, loaded in list(catalog.adapters.items()):
        base = catalog.builds.get(loaded.build.base)
        problem = None
        if base is None:
            problem = f"no model build manifest has id {loaded.build.base!r}"
        elif base.build.jurisdiction != loaded.build.jurisdiction:
            problem = (
                f"{base.build.id!r} is a {base.build.jurisdiction} build ({base.shown}); "
                f"a {loaded.build.jurisdiction} adapter needs a {loaded.build.jurisdiction} base"
            )
        if problem is not None:
            catalog.errors.append(ConfigError(loaded.shown, "base", problem))
            del catalog.adapters[build_id]


def _clashes(build: AnyBuild, other: AnyBuild) -> bool:
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
    pinned = catalog.pinned()
    for index, build_id in enumerate(policy.builds):
        loaded = pinned.get(build_id)
        if loaded is None:
            return f"builds[{index}]", f"no model build manifest has id {build_id!r}"
        if loaded.build.jurisdiction != policy.jurisdiction:
            return (
                f"builds[{index}]",
                f"{build_id!r} is a {loaded.build.jurisdiction} build ({loaded.shown}); "
                f"a {policy.jurisdiction} region may serve only {policy.jurisdiction} builds",
            )
        if isinstance(loaded.build, AdapterBuild) and loaded.build.base not in policy.builds:
            return (
                f"builds[{index}]",
                f"adapter {build_id!r} needs its base build {loaded.build.base!r} listed in builds too",
            )
    if policy.served_build in catalog.adapters:
        field_name = "default_build" if policy.default_build else "builds[0]"
        return field_name, f"{policy.served_build!r} is a LoRA adapter; the served build must be a model"
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
