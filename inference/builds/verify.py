"""Verify a model build's files against the SHA-256 digests in its manifest, before anything loads them."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Protocol

from inference.builds.demo import convert_gguf_package, converted_folder
from inference.builds.digest import byte_progress, folder_files, sha256_file
from inference.builds.manifest import AdapterBuild, FileDigest, FolderSource, GgufPackageSource, ModelBuild
from inference.errors import BuildVerificationError

log = logging.getLogger(__name__)


class PinnedManifest(Protocol):
    """A build manifest and the file it was read from (the catalog's `LoadedBuild`)."""

    @property
    def build(self) -> ModelBuild | AdapterBuild: ...

    @property
    def file(self) -> Path: ...


def verify_folder(folder: Path, files: tuple[FileDigest, ...], build_id: str, label: str) -> None:
    """Check that `folder` holds exactly `files`, each with its pinned SHA-256.

    Raises `BuildVerificationError` naming the build and the first file that is missing, unlisted or changed.
    """
    if not folder.is_dir():
        raise BuildVerificationError(f"build {build_id}: folder {folder} does not exist")
    listed = {f.path for f in files}
    unlisted = [p for p in folder_files(folder) if p not in listed]
    if unlisted:
        raise BuildVerificationError(
            f"build {build_id}: file {unlisted[0]!r} in {folder} is not pinned by the manifest; "
            "every file the engine may read must be listed with its digest"
        )
    missing = [f.path for f in files if not (folder / f.path).is_file()]
    if missing:
        raise BuildVerificationError(f"build {build_id}: file {missing[0]!r} is missing from {folder}")
    total = sum((folder / f.path).stat().st_size for f in files)
    with byte_progress(total, label) as progress:
        for f in files:
            actual = sha256_file(folder / f.path, progress)
            if actual != f.sha256:
                raise BuildVerificationError(
                    f"build {build_id}: file {f.path!r} has SHA-256 {actual}, "
                    f"but the manifest pins {f.sha256}; refusing to load a changed build"
                )


def verify_build(loaded: PinnedManifest, cache_dir: Path) -> Path:
    """Resolve a build's folder and verify every file in it; returns the verified folder.

    A packaged GGUF's conversion is looked for in `cache_dir` first and used if it verifies, without the
    package. One that fails verification (an older converter, or tampering) is never loaded: it is
    logged, thrown away and converted again from the verified source, then verified again.
    """
    build = loaded.build
    source = build.source
    label = f"verifying {build.id}"
    if isinstance(source, FolderSource):
        path = Path(source.path)
        folder = path if path.is_absolute() else (loaded.file.parent / path).resolve()
        verify_folder(folder, build.files, build.id, label)
        return folder
    if not isinstance(source, GgufPackageSource):
        raise AssertionError(f"unhandled source kind {source!r}")
    folder = converted_folder(source, cache_dir)
    if folder.is_dir():
        try:
            verify_folder(folder, build.files, build.id, label)
        except BuildVerificationError as exc:
            log.warning("%s; discarding the converted cache and converting again", exc)
            shutil.rmtree(folder, ignore_errors=True)
        else:
            return folder
    folder = convert_gguf_package(source, build.id, cache_dir)
    try:
        verify_folder(folder, build.files, build.id, label)
    except BuildVerificationError as exc:
        raise BuildVerificationError(
            f"{exc} (converted here: only the transformers release of the transformers extra reproduces "
            "the pinned files; convert from the main environment with `make serve`, or `regional-llm "
            "models verify` with the same cache folder)"
        ) from None
    return folder
