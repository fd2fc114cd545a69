"""The README and docs/: every command of their `sh` blocks runs as written on a fresh clone, every
relative link lands, and the README stays a short front door to one page per topic.

A command's `make` targets must exist in the Makefile (and the flags the docs pass through ARGS or
BENCH_ARGS must parse), a `regional-llm` command must parse with the real parser, a `python -m` module
must resolve, and every path into the repository must exist."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from inference.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
PAGES = [README, *DOCS]

# The make variables whose flags a target hands to a `regional-llm` command, and that command.
PASSED_ON = {
    "serve": ("ARGS", ("serve",)),
    "bench-serve": ("BENCH_ARGS", ("bench", "serve")),
    "bench-serve-vllm": ("BENCH_ARGS", ("bench", "serve")),
    "bench-overload": ("BENCH_ARGS", ("bench", "serve")),
    "bench-privacy": ("BENCH_ARGS", ("bench", "privacy")),
}
# Top-level entries a fresh clone does not have: what `make`, pytest and the tools create.
LOCAL_ONLY = re.compile(r"^\.venv|^\.git$|cache|^bench-results$|^build$|^dist$|\.egg-info$")
TOP_LEVEL = {path.name for path in REPO.iterdir() if not LOCAL_ONLY.search(path.name)}
SEPARATORS = {"|", "||", "&&", ";", "&"}
REDIRECTS = {">", ">>", "<", "<<", "<<-"}
HEADING = re.compile(r"^#{1,6} (.+)$")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def make_targets() -> set[str]:
    """The targets the Makefile defines (rule lines; variable assignments excluded)."""
    rules = re.findall(r"^([\w.-]+(?:[ \t]+[\w.-]+)*)[ \t]*:(?!=)", (REPO / "Makefile").read_text(), re.M)
    return {target for rule in rules for target in rule.split()}


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """Numbered lines outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            yield number, line


def sh_commands(page: Path) -> Iterator[tuple[int, list[str]]]:
    """(line, words) of every command in the page's `sh` blocks: continuation lines joined, heredoc
    bodies and redirections left out, pipelines and lists split into their commands."""
    in_block, heredoc, pending, start = False, "", "", 0
    for number, line in enumerate(page.read_text().splitlines(), 1):
        if not in_block:
            in_block = line.strip() == "```sh"
            continue
        if heredoc:
            heredoc = "" if line.strip() == heredoc else heredoc
            continue
        if line.strip() == "```":
            in_block = False
            continue
        start = start if pending else number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text, pending = pending + line, ""
        if found := re.search(r"<<-?\s*['\"]?(\w+)", text):
            heredoc = found.group(1)
        lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words: list[str] = []
        skip_next = False
        for word in [*lexer, ";"]:
            if skip_next:
                skip_next = False
            elif word in REDIRECTS:
                skip_next = True
            elif word in SEPARATORS:
                if words:
                    yield start, words
                words = []
            else:
                words.append(word)


def parse_error(argv: list[str]) -> str | None:
    """Why `regional-llm ARGV` does not parse, or None."""
    with contextlib.redirect_stderr(io.StringIO()) as stderr, contextlib.redirect_stdout(io.StringIO()):
        try:
            build_parser().parse_args(argv)
        except SystemExit as exc:
            if exc.code:
                return stderr.getvalue().strip().splitlines()[-1]
    return None


def missing_paths(word: str) -> list[str]:
    """Paths into the repository named in a word (or in its `NAME=value` parts) that do not exist."""
    missing = []
    for candidate in re.split(r"[\s=]", word):
        if candidate.split("/")[0] not in TOP_LEVEL:
            continue
        exists = (
            any(REPO.glob(candidate)) if any(c in candidate for c in "*?[") else (REPO / candidate).exists()
        )
        if not exists:
            missing.append(f"no such file in the repository: {candidate}")
    return missing


def problems(words: list[str], targets: set[str]) -> list[str]:
    """What keeps a command from running as written on a fresh clone."""
    while words and re.match(r"^[A-Za-z_]\w*=", words[0]):
        words = words[1:]
    if not words:
        return []
    found = [problem for word in words for problem in missing_paths(word)]
    program, args = Path(words[0]).name, words[1:]
    if program == "make":
        named = [arg for arg in args if "=" not in arg and not arg.startswith("-")]
        found += [f"no make target {target!r}" for target in named if target not in targets]
        for target in named:
            variable, command = PASSED_ON.get(target, ("", ()))
            for arg in args:
                name, _, value = arg.partition("=")
                if variable and name == variable and (error := parse_error([*command, *shlex.split(value)])):
                    found.append(f"{variable} of make {target}: {error}")
    elif program == "regional-llm" and (error := parse_error(args)):
        found.append(error)
    elif program.startswith("python") and "-m" in args[:-1]:
        module = args[args.index("-m") + 1]
        try:
            resolved = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            resolved = False
        if not resolved:
            found.append(f"no module {module}")
    return found


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of a page's headings; a repeated heading gets -1, -2, ... as on GitHub."""
    found: set[str] = set()
    counts: dict[str, int] = {}
    for _, line in prose_lines(page.read_text()):
        if heading := HEADING.match(line):
            base = slug(heading.group(1))
            count = counts.get(base, 0)
            counts[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(page: Path) -> list[tuple[int, str]]:
    """(line, target) of every link to a file or anchor of the repository; code is no link."""
    return [
        (number, target)
        for number, line in prose_lines(page.read_text())
        for target in LINK.findall(re.sub(r"`[^`]*`", "", line))
        if not re.match(r"^[a-z]+:", target)
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(REPO).as_posix())
def test_commands_run_as_written(page: Path) -> None:
    targets = make_targets()
    found = [
        f"{page.name}:{line}: {shlex.join(words)}: {problem}"
        for line, words in sh_commands(page)
        for problem in problems(words, targets)
    ]
    assert found == []


def test_the_checks_see_the_commands() -> None:
    commands = [words for page in PAGES for _, words in sh_commands(page)]
    made = {word for words in commands if words[0] == "make" for word in words[1:]}
    assert {
        "serve",
        "test",
        "bench-serve",
        "bench-serve-vllm",
        "bench-privacy",
        "bench-audit",
        "bench-gpu",
    } <= made
    assert any(words[:3] == ["regional-llm", "keys", "create"] for words in commands)
    assert any(words[:2] == ["helm", "install"] for words in commands)
    assert not any("YAML" in words or "client_certificates:" in words for words in commands)


@pytest.mark.parametrize(
    "command",
    [
        "make no-such-target",
        "make bench-serve BENCH_ARGS='--no-such-flag'",
        "regional-llm models verfy",
        "python -m inference.no_such_module",
        "helm lint helm/regional-llm/values-nowhere.yaml",
    ],
)
def test_the_checks_catch_a_broken_command(command: str) -> None:
    assert problems(shlex.split(command), make_targets()) != []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(REPO).as_posix())
def test_relative_links_land(page: Path) -> None:
    broken = []
    for line, target in relative_links(page):
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{page.name}:{line}: {target}: no such file")
        elif anchor and (linked.suffix != ".md" or anchor not in anchors(linked)):
            broken.append(f"{page.name}:{line}: {target}: no such heading")
    assert broken == []


def test_readme_is_a_front_door_to_every_page() -> None:
    linked = {(README.parent / target.partition("#")[0]).resolve() for _, target in relative_links(README)}
    assert set(DOCS) <= linked
    assert len(README.read_text().splitlines()) <= 200


def test_errors_table_is_under_its_heading() -> None:
    contracts = (REPO / "docs" / "contracts.md").read_text()
    section = contracts.split("\n## Errors\n", 1)[1].split("\n## ", 1)[0]
    assert "\n| status | code | when |\n|---|---|---|\n" in section
