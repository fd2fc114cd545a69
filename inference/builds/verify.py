"""Verify a model build's files against the SHA-256 digests in its manifest, before anything loads them."""

from __future__ import annotations

import hashlib
import logging
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from tqdm import tqdm

from inference.builds.manifest import FileDigest, FolderSource, GgufPackageSource
from inference.catalog import AnyLoaded
from inference.errors import BuildVerificationError

log = logging.getLogger(__name__)

_CHUNK = 4 * 1024 * 1024


class ByteProgress(Protocol):
    """Receives the number of bytes hashed so far."""

    def update(self, n: int) -> object: ...


@contextmanager
def byte_progress(total: int, label: str) -> Iterator[ByteProgress]:
    """A progress bar on standard error, shown only when it is a terminal."""
    with tqdm(
        total=total,
        desc=label,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
    ) as bar:
        yield bar


def sha256_file(path: Path, progress: ByteProgress | None = None) -> str:
    """The hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            if progress is not None:
                progress.update(len(chunk))
    return digest.hexdigest()


def folder_files(folder: Path) -> list[str]:
    """Relative POSIX paths of every regular file below `folder`, hidden entries excluded."""
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        found.append(relative.as_posix())
    return sorted(found)


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


def resolve_folder(loaded: AnyLoaded, cache_dir: Path) -> Path:
    """The folder the engine loads: the source folder, or the cached conversion of a packaged GGUF."""
    source = loaded.build.source
    if isinstance(source, FolderSource):
        path = Path(source.path)
        return path if path.is_absolute() else (loaded.file.parent / path).resolve()
    if isinstance(source, GgufPackageSource):
        # Imported lazily: converting needs the transformers extra; verifying a folder build does not.
        from inference.builds.demo import prepare_gguf_package

        return prepare_gguf_package(source, loaded.build.id, cache_dir)
    raise AssertionError(f"unhandled source kind {source!r}")


def verify_build(loaded: AnyLoaded, cache_dir: Path) -> Path:
    """Resolve a build's folder and verify every file in it; returns the verified folder.

    A converted cache that fails verification (an older converter, or tampering) is never loaded:
    it is logged, thrown away and converted again from the verified source, then verified again.
    """
    build = loaded.build
    folder = resolve_folder(loaded, cache_dir)
    try:
        verify_folder(folder, build.files, build.id, f"verifying {build.id}")
    except BuildVerificationError as exc:
        if not isinstance(build.source, GgufPackageSource):
            raise
        log.warning("%s; discarding the converted cache and converting again", exc)
        shutil.rmtree(folder, ignore_errors=True)
        folder = resolve_folder(loaded, cache_dir)
        verify_folder(folder, build.files, build.id, f"verifying {build.id}")
    return folder
