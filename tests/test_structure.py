"""The package's shape: no module of `inference` over 400 lines, and no import cycle among its modules
(an import inside a function or under TYPE_CHECKING counts too: each is a dependency)."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "inference"
MAX_LINES = 400


def module_names(package: Path) -> dict[str, Path]:
    """Every module below `package`, by dotted name (a package by its `__init__.py`)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules of `known` that an import statement in `module` loads: `from pkg import sub` loads
    the module `pkg.sub`, `from pkg import name` the module `pkg`."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    base = node.module or ""
    if node.level:
        # Relative to the module's package; a package's __init__ is its own package.
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join([*parts, base] if base else parts)
    targets = set()
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        if submodule in known:
            targets.add(submodule)
        elif base in known:
            targets.add(base)
    return targets


def import_graph(package: Path) -> dict[str, set[str]]:
    """Which modules of `package` each of its modules imports, at any depth of its code."""
    modules = module_names(package)
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                graph[name] |= _targets(node, name, path.name == "__init__.py", known) - {name}
    return graph


def import_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def long_modules(package: Path, limit: int = MAX_LINES) -> dict[str, int]:
    """Modules of `package` longer than `limit` lines, with their line counts."""
    counts = {name: len(path.read_text().splitlines()) for name, path in module_names(package).items()}
    return {name: count for name, count in counts.items() if count > limit}


def test_no_module_is_longer_than_400_lines() -> None:
    assert long_modules(PACKAGE) == {}


def test_the_package_has_no_import_cycle() -> None:
    assert import_cycles(import_graph(PACKAGE)) == []


def test_the_graph_sees_the_cli_and_its_lazy_imports() -> None:
    graph = import_graph(PACKAGE)
    assert "inference.cli.serve" in graph["inference.cli"]
    assert "inference.cli" in graph["inference.cli.__main__"]
    # Imported inside a function only.
    assert "inference.engines.registry" in graph["inference.assembly"]


# --- the checks themselves, on trees made to fail them -------------------------------------------------


def test_the_cycle_finder_finds_every_cycle_and_nothing_else() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"f"}, "f": {"e"}, "g": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"], ["e", "f"]]
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def _write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / "pkg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root / "pkg"


@pytest.mark.parametrize(
    "files",
    [
        # Inside a function, and relative.
        {"__init__.py": "", "a.py": "def f():\n    from . import b\n", "b.py": "from pkg.a import f\n"},
        # Through a subpackage's __init__, by `import x.y`, and under TYPE_CHECKING.
        {
            "__init__.py": "",
            "a.py": "import pkg.sub.c\n",
            "sub/__init__.py": "from .c import g\n",
            "sub/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..a import x\n",
        },
    ],
)
def test_a_cycle_in_a_tree_is_found(tmp_path: Path, files: dict[str, str]) -> None:
    assert import_cycles(import_graph(_write(tmp_path, files))) != []


def test_a_tree_without_cycles_passes(tmp_path: Path) -> None:
    files = {"__init__.py": "from pkg import a\n", "a.py": "from . import b\n", "b.py": "import os\n"}
    assert import_cycles(import_graph(_write(tmp_path, files))) == []


def test_a_module_over_the_limit_is_named(tmp_path: Path) -> None:
    package = _write(tmp_path, {"__init__.py": "", "ok.py": "x = 1\n" * 400, "big.py": "x = 1\n" * 401})
    assert long_modules(package) == {"pkg.big": 401}
