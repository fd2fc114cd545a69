"""The one pass over a text: Hyperscan when its wheel is installed (every expression at once), else
Python's `re` with the same expressions and the same matches.

For an expression that needs its matches' starts, the scanner reports the longest match from each
start; for one that does not (a cue, whose end is all that matters), every end.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

# (expression index, start, end) of an expression that needs its start; (expression index, end) of one
# that does not. Offsets in characters.
Match = tuple[int, int, int]
End = tuple[int, int]


@dataclass(frozen=True)
class ScanExpression:
    """An expression in the syntax Hyperscan and `re` share (no look-around, no back-references)."""

    expression: str
    caseless: bool = False
    needs_start: bool = True


class Scanner(Protocol):
    """Finds the matches of its expressions in a text."""

    name: str

    def scan(self, text: str) -> tuple[list[Match], list[End]]:
        """The longest match from each start of the expressions that need their start, in no particular
        order; every end of the others, sorted."""
        ...


class RegexScanner:
    """Python's `re`: portable, several times slower."""

    name = "re"

    def __init__(self, expressions: Sequence[ScanExpression]) -> None:
        self._compiled = [
            (index, re.compile(e.expression, re.IGNORECASE if e.caseless else 0), e.needs_start)
            for index, e in enumerate(expressions)
        ]

    def scan(self, text: str) -> tuple[list[Match], list[End]]:
        matches: dict[tuple[int, int], int] = {}
        ends: set[End] = set()
        for index, expression, needs_start in self._compiled:
            position = 0
            while (match := expression.search(text, position)) is not None:
                start, end = match.span()
                if needs_start:
                    matches[(index, start)] = max(end, matches.get((index, start), -1))
                else:
                    ends.add((index, end))
                position = start + 1
        return [(index, start, end) for (index, start), end in matches.items()], sorted(ends)


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
        self._databases = _compiled_databases(tuple(expressions))

    def _scratches(self) -> dict[str, list[Any]]:
        # Hyperscan needs one scratch space per thread and database.
        scratches: dict[str, list[Any]] | None = getattr(self._local, "scratches", None)
        if scratches is None:
            scratches = self._local.scratches = {
                encoding: [None if db is None else self._hyperscan.Scratch(db.database) for db in databases]
                for encoding, databases in self._databases.items()
            }
        return scratches

    def scan(self, text: str) -> tuple[list[Match], list[End]]:
        try:
            data, encoding = text.encode(_SINGLE_BYTE), _SINGLE_BYTE
        except UnicodeEncodeError:
            data, encoding = text.encode(), "utf-8"
        (starts, ends), (starts_scratch, ends_scratch) = (
            self._databases[encoding],
            self._scratches()[encoding],
        )
        # The callbacks run once per match: they keep the longest match from each start, and the ends.
        longest: dict[tuple[int, int], int] = {}
        if starts is not None:
            get = longest.get

            def on_start(local: int, start: int, end: int, flags: int, context: object) -> None:
                if get((local, start), -1) < end:
                    longest[(local, start)] = end

            starts.database.scan(data, match_event_handler=on_start, scratch=starts_scratch)
        end_reports: set[tuple[int, int]] = set()
        if ends is not None:
            add = end_reports.add

            def on_end(local: int, start: int, end: int, flags: int, context: object) -> None:
                add((local, end))

            ends.database.scan(data, match_event_handler=on_end, scratch=ends_scratch)
        start_indexes = starts.indexes if starts is not None else ()
        end_indexes = ends.indexes if ends is not None else ()
        if len(data) == len(text):
            return (
                [(start_indexes[local], start, end) for (local, start), end in longest.items()],
                sorted([(end_indexes[local], end) for local, end in end_reports]),
            )
        ends_found = [(end_indexes[local], end) for local, end in end_reports]
        to_char = char_offsets(
            data,
            [
                *(offset for key, end in longest.items() for offset in (key[1], end)),
                *(e for _, e in ends_found),
            ],
        )
        return (
            [(start_indexes[local], to_char[start], to_char[end]) for (local, start), end in longest.items()],
            sorted((index, to_char[end]) for index, end in ends_found),
        )


_SINGLE_BYTE = "cp1252"
_ENCODINGS = ("utf-8", _SINGLE_BYTE)


@dataclass(frozen=True)
class _Database:
    """A compiled database and the index, among the scanner's expressions, of each of its patterns."""

    database: Any
    indexes: tuple[int, ...]


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
def _compiled_databases(
    expressions: tuple[ScanExpression, ...],
) -> dict[str, tuple[_Database | None, _Database | None]]:
    """Per encoding, the database of the expressions that need their start and that of the others (None
    where there are none); compiled once per process and side by side (Hyperscan lets go of the
    interpreter while it compiles). A database is read-only and shared by every thread."""
    jobs = [(encoding, needs_start) for encoding in _ENCODINGS for needs_start in (True, False)]
    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="hyperscan-compile") as pool:
        built = list(pool.map(lambda job: _compiled_database(expressions, *job), jobs))
    return {encoding: (built[2 * i], built[2 * i + 1]) for i, encoding in enumerate(_ENCODINGS)}


def _compiled_database(
    expressions: tuple[ScanExpression, ...], encoding: str, needs_start: bool
) -> _Database | None:
    """The database of the expressions that need their start (or of those that do not) and can match
    text in `encoding`."""
    import hyperscan

    utf8 = encoding == "utf-8"
    indexes: list[int] = []
    patterns: list[bytes] = []
    for index, expression in enumerate(expressions):
        if expression.needs_start != needs_start:
            continue
        text = expression.expression if utf8 else single_byte_expression(expression.expression)
        if text is not None:
            indexes.append(index)
            patterns.append(text.encode(encoding))
    if not patterns:
        return None
    database = hyperscan.Database()
    # Without Unicode properties (Hyperscan has no \b with them): caseless folds ASCII.
    database.compile(
        expressions=patterns,
        ids=list(range(len(indexes))),
        flags=[
            (hyperscan.HS_FLAG_UTF8 if utf8 else 0)
            | (hyperscan.HS_FLAG_SOM_LEFTMOST if needs_start else 0)
            | (hyperscan.HS_FLAG_CASELESS if expressions[i].caseless else 0)
            for i in indexes
        ],
    )
    return _Database(database, tuple(indexes))


# 1 for the bytes that continue a UTF-8 character, 0 for those that start one.
_CONTINUATION = bytes(1 if 0x80 <= byte < 0xC0 else 0 for byte in range(256))


def char_offsets(data: bytes, offsets: Iterable[int]) -> dict[int, int]:
    """The character offset of each byte offset in the UTF-8 `data`, for offsets at character boundaries
    (Hyperscan reports matches of whole characters): the byte offset less the continuation bytes before
    it, counted from one offset to the next."""
    marks = data.translate(_CONTINUATION)
    found: dict[int, int] = {}
    previous = continuations = 0
    for offset in sorted(set(offsets)):
        continuations += marks.count(1, previous, offset)
        found[offset] = offset - continuations
        previous = offset
    return found


def create_scanner(expressions: Sequence[ScanExpression], prefer: str = "hyperscan") -> Scanner:
    """Hyperscan when available and asked for, else `re`."""
    if prefer == "hyperscan":
        try:
            return HyperscanScanner(expressions)
        except ImportError:
            pass
    return RegexScanner(expressions)
