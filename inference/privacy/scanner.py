"""The one pass over a text: Hyperscan when its wheel is installed (every expression at once), else
Python's `re` with the same expressions and the same matches.

For an expression that needs its matches' starts, the scanner reports the longest match from each
start; for one that does not (a cue, whose end is all that matters), every end, with start -1.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol


@dataclass(frozen=True)
class ScanExpression:
    """An expression in the syntax Hyperscan and `re` share (no look-around, no back-references)."""

    expression: str
    caseless: bool = False
    needs_start: bool = True


class Scanner(Protocol):
    """Finds matches as (expression index, start, end), in characters."""

    name: str

    def scan(self, text: str) -> list[tuple[int, int, int]]: ...


class RegexScanner:
    """Python's `re`: portable, several times slower."""

    name = "re"

    def __init__(self, expressions: Sequence[ScanExpression]) -> None:
        self._compiled = [re.compile(e.expression, re.IGNORECASE if e.caseless else 0) for e in expressions]
        self._starts = [e.needs_start for e in expressions]

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        found = []
        for index, expression in enumerate(self._compiled):
            position = 0
            while (match := expression.search(text, position)) is not None:
                found.append((index, match.start() if self._starts[index] else -1, match.end()))
                position = match.start() + 1
        return sorted(set(found))


class HyperscanScanner:
    """Hyperscan: all expressions in one pass over the text's bytes per database.

    Expressions that need their start go into a database that tracks it; the others (long cue
    alternations) into one that does not: together they scan faster than one database with both. Those
    databases exist twice: for UTF-8, and for the single-byte Windows-1252 in which nearly all text in
    the covered languages can be written (with the euro sign, curly quotes and dashes); a text that fits
    the latter is scanned in it, so that byte offsets are character offsets.
    """

    name = "hyperscan"

    def __init__(self, expressions: Sequence[ScanExpression]) -> None:
        import hyperscan

        self._hyperscan = hyperscan
        self._local = threading.local()
        frozen = tuple(expressions)
        self._compiled = _compiled_databases(frozen)

    def _scratches(self) -> dict[str, list[Any]]:
        # Hyperscan needs one scratch space per thread and database.
        scratches: dict[str, list[Any]] | None = getattr(self._local, "scratches", None)
        if scratches is None:
            scratches = self._local.scratches = {
                name: [self._hyperscan.Scratch(db) for db, _, _ in compiled.databases]
                for name, compiled in self._compiled.items()
            }
        return scratches

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        scratches = self._scratches()
        try:
            data, encoding = text.encode(_SINGLE_BYTE), _SINGLE_BYTE
        except UnicodeEncodeError:
            data, encoding = text.encode(), "utf-8"
        longest: dict[tuple[int, int], int] = {}
        ends: set[tuple[int, int]] = set()
        for (database, indexes, kind), scratch in zip(
            self._compiled[encoding].databases, scratches[encoding], strict=True
        ):
            # The callback runs once per match: it only collects; the sorting out happens below.
            reports: list[tuple[int, int, int, int, object]] = []
            collect = reports.append
            database.scan(data, match_event_handler=lambda *report, add=collect: add(report), scratch=scratch)
            if kind == "start":
                for local, start, end, _, _ in reports:
                    key = (indexes[local], start)
                    if longest.get(key, -1) < end:
                        longest[key] = end
            else:
                ends.update((indexes[local], end) for local, _, end, _, _ in reports)
        to_char = (lambda offset: offset) if len(data) == len(text) else char_offsets(text)
        found = [(index, to_char(start), to_char(end)) for (index, start), end in longest.items()]
        found += [(index, -1, to_char(end)) for index, end in ends]
        found.sort()
        return found


_SINGLE_BYTE = "cp1252"
_ENCODINGS = ("utf-8", _SINGLE_BYTE)
_KINDS = ("start", "end")


@dataclass(frozen=True)
class _Compiled:
    """The databases of one encoding: (database, expression indexes, kind)."""

    databases: list[tuple[Any, list[int], str]]


def single_byte_expression(expression: str) -> str | None:
    """`expression` for Windows-1252 bytes: every other character as its byte (\\xHH), characters the
    encoding lacks left out of classes (no such text is scanned in it); None where one stands outside a
    class (the expression cannot match such text)."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(expression):
        char = expression[index]
        if char == "\\":
            out.append(expression[index : index + 2])
            index += 2
            continue
        is_range = expression[index + 1 : index + 2] == "-" and expression[index + 2 : index + 3] not in (
            "",
            "]",
        )
        if in_class and is_range and not (char + expression[index + 2]).isascii():
            # A range of letters beyond ASCII: kept where the encoding has both ends in the same order.
            try:
                low, high = char.encode(_SINGLE_BYTE), expression[index + 2].encode(_SINGLE_BYTE)
                out.append(f"\\x{low[0]:02X}-\\x{high[0]:02X}")
            except UnicodeEncodeError:
                pass
            index += 3
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class and out[-1] != "[":
            in_class = False
        if char.isascii():
            out.append(char)
        else:
            try:
                out.append(f"\\x{char.encode(_SINGLE_BYTE)[0]:02X}")
            except UnicodeEncodeError:
                if not in_class:
                    return None
        index += 1
    return "".join(out)


@lru_cache(maxsize=8)
def _compiled_databases(expressions: tuple[ScanExpression, ...]) -> dict[str, _Compiled]:
    """Hyperscan databases for every encoding, compiled once per process and side by side (Hyperscan
    lets go of the interpreter while it compiles); a database is read-only and shared by every thread."""
    jobs = [(encoding, kind) for encoding in _ENCODINGS for kind in _KINDS]
    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="hyperscan-compile") as pool:
        built = list(pool.map(lambda job: _compiled_database(expressions, *job), jobs))
    by_encoding: dict[str, _Compiled] = {encoding: _Compiled([]) for encoding in _ENCODINGS}
    for (encoding, _), database in zip(jobs, built, strict=True):
        by_encoding[encoding].databases.append(database)
    return by_encoding


def _compiled_database(
    expressions: tuple[ScanExpression, ...], encoding: str, kind: str
) -> tuple[Any, list[int], str]:
    """One database: the expressions of `kind` ("start": matches need their start; "end": they do not)
    that can match text in `encoding`, with their indexes in `expressions`."""
    import hyperscan

    utf8 = encoding == "utf-8"
    indexes: list[int] = []
    patterns: list[bytes] = []
    for index, expression in enumerate(expressions):
        if expression.needs_start != (kind == "start"):
            continue
        text = expression.expression if utf8 else single_byte_expression(expression.expression)
        if text is not None:
            indexes.append(index)
            patterns.append(text.encode(encoding))
    database = hyperscan.Database()
    # Without Unicode properties (Hyperscan has no \b with them): caseless folds ASCII.
    database.compile(
        expressions=patterns,
        ids=list(range(len(indexes))),
        flags=[
            (hyperscan.HS_FLAG_UTF8 if utf8 else 0)
            | (hyperscan.HS_FLAG_SOM_LEFTMOST if kind == "start" else 0)
            | (hyperscan.HS_FLAG_CASELESS if expressions[i].caseless else 0)
            for i in indexes
        ],
    )
    return database, indexes, kind


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def char_offsets(text: str) -> Callable[[int], int]:
    """Byte offset -> character offset in `text`, for offsets at character boundaries (Hyperscan
    reports matches of whole UTF-8 characters)."""
    starts: list[int] = []  # byte offset of each non-ASCII character
    extra_after: list[int] = []  # extra bytes of all of them up to and including this one
    extra = 0
    for char in _NON_ASCII.finditer(text):
        starts.append(char.start() + extra)
        extra += len(char.group().encode()) - 1
        extra_after.append(extra)

    def to_char(offset: int) -> int:
        before = bisect.bisect_right(starts, offset - 1)
        return offset - (extra_after[before - 1] if before else 0)

    return to_char


def create_scanner(expressions: Sequence[ScanExpression], prefer: str = "hyperscan") -> Scanner:
    """Hyperscan when available and asked for, else `re`."""
    if prefer == "hyperscan":
        try:
            return HyperscanScanner(expressions)
        except ImportError:
            pass
    return RegexScanner(expressions)
