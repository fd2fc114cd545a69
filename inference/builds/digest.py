"""SHA-256 digests of build files: one file, the listing of a folder, and the digest of a whole build.

The lowest module of `inference.builds`: the manifest, the verifier and the demo converter all hash
through it, and it imports none of them.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from tqdm import tqdm

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


def build_digest(files: Iterable[tuple[str, str]]) -> str:
    """The digest of a build from its `(path, sha256)` pairs: the SHA-256 of the `sha256sum`-style
    listing of its files, sorted by path."""
    listing = "".join(f"{sha256}  {path}\n" for path, sha256 in sorted(files))
    return hashlib.sha256(listing.encode()).hexdigest()
