"""The one pass over a text: Hyperscan when its wheel is installed (every expression at once), else
Python's `re` with the same expressions and the same matches.

For an expression that needs its matches' starts, the scanner reports the longest match from each
start; for one that does not (a cue, whose end is all that matters), every end, with start -1; for a
literal (a first name), every occurrence, wherever it is (whole words are the caller's business).
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class ScanExpression:
    """An expression in the syntax Hyperscan and `re` share (no look-around, no back-references)."""

    expression: str
    caseless: bool = False
    needs_start: bool = True
    literal: bool = False


class Scanner(Protocol):
    """Finds matches as (expression index, start, end), in characters."""

    name: str

    def scan(self, text: str) -> list[tuple[int, int, int]]: ...


class RegexScanner:
    """Python's `re`: portable, several times slower."""

    name = "re"

    def __init__(self, expressions: Sequence[ScanExpression]) -> None:
        self._compiled = [
            re.compile(e.expression, re.IGNORECASE if e.caseless else 0) for e in expressions if not e.literal
        ]
        self._starts = [e.needs_start for e in expressions if not e.literal]
        literals = {e.expression: i for i, e in enumerate(expressions) if e.literal}
        self._literal_index = literals
        # Longest first, so that at one position "Marie-Anne" is tried before "Marie".
        ordered = sorted(literals, key=len, reverse=True)
        self._literals = re.compile("|".join(re.escape(x) for x in ordered)) if literals else None

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        found = []
        for index, expression in enumerate(self._compiled):
            position = 0
            while (match := expression.search(text, position)) is not None:
                found.append((index, match.start() if self._starts[index] else -1, match.end()))
                position = match.start() + 1
        if self._literals is not None:
            position = 0
            while (match := self._literals.search(text, position)) is not None:
                found.append((self._literal_index[match.group()], match.start(), match.end()))
                position = match.start() + 1
        return sorted(set(found))


class HyperscanScanner:
    """Hyperscan: all expressions in one pass over the UTF-8 bytes per database.

    Expressions that need their start go into a database that tracks it; the others (long cue
    alternations) into one that does not: together they scan faster than one database with both.
    """

    name = "hyperscan"

    def __init__(self, expressions: Sequence[ScanExpression]) -> None:
        import hyperscan

        self._hyperscan = hyperscan
        self._local = threading.local()
        self._databases: list[tuple[Any, list[int], str]] = []
        for kind in ("start", "end", "literal"):
            indexes = [i for i, e in enumerate(expressions) if _kind(e) == kind]
            if not indexes:
                continue
            database = hyperscan.Database()
            if kind == "literal":
                # The literal compiler takes thousands of names in milliseconds (regex mode: seconds).
                database.compile(
                    expressions=[expressions[i].expression.encode() for i in indexes],
                    ids=list(range(len(indexes))),
                    elements=len(indexes),
                    flags=0,
                    literal=True,
                )
            else:
                # UTF-8 without Unicode properties (Hyperscan has no \b with them): caseless folds ASCII.
                database.compile(
                    expressions=[expressions[i].expression.encode() for i in indexes],
                    ids=list(range(len(indexes))),
                    flags=[
                        hyperscan.HS_FLAG_UTF8
                        | (hyperscan.HS_FLAG_SOM_LEFTMOST if kind == "start" else 0)
                        | (hyperscan.HS_FLAG_CASELESS if expressions[i].caseless else 0)
                        for i in indexes
                    ],
                )
            self._databases.append((database, indexes, kind))
        self._literal_bytes = [len(e.expression.encode()) if e.literal else 0 for e in expressions]

    def _scratches(self) -> list[Any]:
        # Hyperscan needs one scratch space per thread and database.
        scratches: list[Any] | None = getattr(self._local, "scratches", None)
        if scratches is None:
            scratches = self._local.scratches = [self._hyperscan.Scratch(db) for db, _, _ in self._databases]
        return scratches

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        data = text.encode()
        longest: dict[tuple[int, int], int] = {}
        ends: set[tuple[int, int]] = set()
        for (database, indexes, kind), scratch in zip(self._databases, self._scratches(), strict=True):
            # The callback runs once per match: it only collects; the sorting out happens below.
            reports: list[tuple[int, int, int, int, object]] = []
            collect = reports.append
            database.scan(data, match_event_handler=lambda *report, add=collect: add(report), scratch=scratch)
            if kind == "start":
                for local, start, end, _, _ in reports:
                    key = (indexes[local], start)
                    if longest.get(key, -1) < end:
                        longest[key] = end
            elif kind == "end":
                ends.update((indexes[local], end) for local, _, end, _, _ in reports)
            else:
                for local, _, end, _, _ in reports:
                    index = indexes[local]
                    longest[(index, end - self._literal_bytes[index])] = end
        to_char = (lambda offset: offset) if len(data) == len(text) else char_offsets(text)
        found = [(index, to_char(start), to_char(end)) for (index, start), end in longest.items()]
        found += [(index, -1, to_char(end)) for index, end in ends]
        found.sort()
        return found


def _kind(expression: ScanExpression) -> str:
    if expression.literal:
        return "literal"
    return "start" if expression.needs_start else "end"


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
