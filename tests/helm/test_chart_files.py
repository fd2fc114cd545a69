"""files/regions and files/models are links to the repository's regions/ and models/: the chart cannot
drift from the policies the server is tested with, and `helm package` carries the files themselves."""

from __future__ import annotations

import tarfile
from pathlib import Path

from tests.helm.chart import CHART, REPO, helm


def test_the_chart_files_are_the_repositorys() -> None:
    for name in ("regions", "models"):
        link = CHART / "files" / name
        assert link.is_symlink(), f"{link} should link to the repository's {name}/"
        assert link.resolve() == (REPO / name).resolve()


def test_a_packaged_chart_carries_the_files_themselves(tmp_path: Path) -> None:
    result = helm("package", str(CHART), "--destination", str(tmp_path))
    assert result.returncode == 0, result.stderr
    (archive,) = tmp_path.glob("regional-llm-*.tgz")
    expected = {
        f"regional-llm/files/{path.relative_to(REPO).as_posix()}": path.read_bytes()
        for folder in ("regions", "models")
        for path in sorted((REPO / folder).rglob("*.yaml"))
    }
    with tarfile.open(archive) as packed:
        found = {
            member.name: packed.extractfile(member).read()  # type: ignore[union-attr]
            for member in packed.getmembers()
            if member.name.startswith("regional-llm/files/") and member.isfile()
        }
        names = set(packed.getnames())
    assert found == expected
    assert {"regional-llm/values.schema.json", "regional-llm/templates/_helpers.tpl"} <= names
