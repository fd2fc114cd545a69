"""The detector: one scan for candidates and name cues, validators, caller-supplied values, person
names, an optional NER model; then one span per stretch of text (on overlap the stronger kind of
evidence wins, then the longer)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from inference.privacy.entities import PERSON, EntitySpan
from inference.privacy.name_cues import CUE_KINDS, cue_expressions
from inference.privacy.names import find_people, known_names
from inference.privacy.patterns import PATTERNS, CandidatePattern
from inference.privacy.phones import preload
from inference.privacy.scanner import ScanExpression, create_scanner

_CONTEXT_BEFORE = 96
_CONTEXT_AFTER = 24
_LEFT_MAX = 64  # the longest part of an entity before its match (an address's local part)
_CALLER_PRIORITY = 100
_NAME_PRIORITY = 30
_NAME_PART_PRIORITY = 35
_NAME_PART = re.compile(r"[^\W\d_][\w'\u2019-]{2,}")
# Spaces and dashes that typography (a French phone number's narrow no-break spaces), word processors or
# someone dodging a filter put inside a number: scanned as a plain space or dash, one character for one,
# so that offsets stay those of the text.
_SPACE_LOOKALIKES = re.compile("[\u00a0\u2000-\u200d\u2060\u202f\u205f\u3000\ufeff]")
_DASH_LOOKALIKES = re.compile("[\u2010-\u2015\u2212]")
_LOOKALIKES = re.compile("[\u00a0\u2000-\u200d\u2010-\u2015\u2060\u202f\u205f\u2212\u3000\ufeff]")
_WARM_UP = (
    "Hallo Herr Weber, Anna Schmidt (anna@example.de, +49 30 12345678, 030 12345678, (212) 555-0147, "
    "612 34 56 78) zahlt mit 4111 1111 1111 1111 auf DE89 3704 0044 0532 0130 00, USt-IdNr. DE136695976, "
    "Steuer-ID 86095742719, BSN 111222333, PESEL 44051401359, SSN 536-22-1234, NIR 1 85 05 78 006 084 36, "
    "DNI 12345678Z, NIE X1234567L, CF RSSMRA85T10A562S, 001D000000IRt53IAD, 10.0.0.1, 2001:db8::1.\n"
    "Mit freundlichen Grüßen\nAnna Schmidt"
)


class PersonRecognizer(Protocol):
    """A pluggable recognizer of person names, such as a locally installed NER model."""

    def find(self, text: str) -> list[tuple[int, int]]:
        """Character spans of person names in `text`."""
        ...


def _known_value_expression(entity_type: str, values: Sequence[str]) -> re.Pattern[str] | None:
    """One expression for all values of a type: case-insensitive, any whitespace between words, whole
    words only. A person's name also matches its parts ("Frau Schmidt" for "Anna Schmidt")."""
    alternatives: set[str] = set()
    for value in values:
        words = value.split()
        if not words:
            continue
        alternatives.add(r"\s+".join(re.escape(w) for w in words))
        if entity_type == PERSON:
            alternatives.update(re.escape(part) for part in _NAME_PART.findall(value))
    if not alternatives:
        return None
    # Longest first, so that the full value wins over its parts at the same position.
    ordered = sorted(alternatives, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE)


class PiiDetector:
    """Finds PII in text. Built once per process; `detect` is thread-safe."""

    def __init__(
        self,
        scanner: str = "hyperscan",
        person_recognizer: PersonRecognizer | None = None,
        patterns: Sequence[CandidatePattern] = PATTERNS,
    ) -> None:
        self._patterns = tuple(patterns)
        # Per pattern, what validating its candidates needs, looked up once.
        self._rank = [-p.priority for p in self._patterns]
        self._left = [re.compile(f"(?:{p.left})\\Z") if p.left else None for p in self._patterns]
        self._context = [
            re.compile("|".join(re.escape(word) for word in p.context)) if p.context else None
            for p in self._patterns
        ]
        self._validators = [p.validate for p in self._patterns]
        # Hyperscan reports, for each end, only the leftmost start: a candidate that fails validation may
        # hide one that starts inside it (a word before an IBAN that looked like one). These find them.
        self._restarts = [
            re.compile(p.expression, re.IGNORECASE if p.caseless else 0) for p in self._patterns
        ]
        # Names lose every overlap with a validated candidate: their spans are settled without sorting those.
        self._patterns_outrank_names = all(p.priority > _NAME_PRIORITY for p in self._patterns)
        expressions = [
            *(ScanExpression(p.expression, p.caseless) for p in self._patterns),
            *cue_expressions(),
        ]
        self._cue_kinds = {len(self._patterns) + i: kind for i, kind in enumerate(CUE_KINDS)}
        self._person_recognizer = person_recognizer
        # Hyperscan lets go of the interpreter while it compiles: the name lists are read, the numbering
        # plans loaded and the validators' expressions compiled meanwhile, so that the first requests do
        # not pay for any of it.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pii-scanner") as pool:
            scanner_built = pool.submit(create_scanner, expressions, scanner)
            known_names()
            preload()
            self._scanner = scanner_built.result()
        self.detect(_WARM_UP)

    @property
    def scanner_name(self) -> str:
        return self._scanner.name

    def detect(self, text: str, known: Mapping[str, Sequence[str]] | None = None) -> list[EntitySpan]:
        """Entity spans in `text`, sorted by start, never overlapping. `known` maps entity types to
        values the caller knows to be PII (from the CRM record, say); they are found wherever they appear."""
        original = text
        if not text.isascii() and _LOOKALIKES.search(text) is not None:
            text = _DASH_LOOKALIKES.sub("-", _SPACE_LOOKALIKES.sub(" ", text))
        candidates, ends = self._scanner.scan(text)
        cue_kinds = self._cue_kinds
        covered = bytearray(len(text))
        ranked = self._validated(text, candidates, covered)
        people = find_people(text, [(cue_kinds[index], end) for index, end in ends])
        if not known and self._person_recognizer is None and self._patterns_outrank_names:
            # Validated candidates never overlap one another and outrank every name: the names settle
            # among themselves, longest first, where no candidate stands (what `resolve_overlaps` does).
            kept = [span for _, span in ranked]
            people.sort(key=_longest_first)
            for span in people:
                start, end = span.start, span.end
                if covered.find(1, start, end) < 0:
                    covered[start:end] = b"\x01" * (end - start)
                    kept.append(span)
            kept.sort()
            return kept
        for entity_type, values in (known or {}).items():
            expression = _known_value_expression(entity_type, values)
            if expression is not None:
                lowered_values = {value.lower() for value in values}
                for match in expression.finditer(original):
                    # A whole caller value beats everything; a part of a name only the weaker kinds.
                    whole = len(match.group().split()) > 1 or match.group().lower() in lowered_values
                    priority = _CALLER_PRIORITY if whole else _NAME_PART_PRIORITY
                    ranked.append((priority, EntitySpan(match.start(), match.end(), entity_type, "caller")))
        ranked.extend((_NAME_PRIORITY, span) for span in people)
        if self._person_recognizer is not None:
            for start, end in self._person_recognizer.find(original):
                ranked.append((_NAME_PRIORITY, EntitySpan(start, end, PERSON, "ner")))
        return resolve_overlaps(ranked, len(text))

    def _validated(
        self, text: str, candidates: list[tuple[int, int, int]], covered: bytearray
    ) -> list[tuple[int, EntitySpan]]:
        """Validated candidates, strongest first, marked in `covered`. A candidate inside an accepted one
        is not validated: it would lose anyway (the digits of an IBAN are not also a phone number)."""
        rank, lefts, contexts, validators = self._rank, self._left, self._context, self._validators
        # Strongest first, then longest, then leftmost (the pattern's index decides the rest).
        ordered = [(rank[index], start - end, start, index, end) for index, start, end in candidates]
        ordered.sort()
        accepted: list[tuple[int, EntitySpan]] = []
        lowered: str | None = None
        # The `re` scanner reports every start already.
        restarts = self._restarts if self._scanner.name != "re" else None

        def check(index: int, start: int, end: int) -> int:
            """The accepted length of a candidate (0: refused or skipped); marks it in `covered`."""
            nonlocal lowered
            left = lefts[index]
            if left is not None:
                before = left.search(text, max(0, start - _LEFT_MAX), start)
                if before is None:
                    return 0
                start = before.start()
            if covered.find(1, start, end) >= 0:
                return 0
            # A candidate that starts with a digit right after a digit group ("400 012 3456" holds no
            # phone number "012 3456") is a fragment of a longer number.
            if start and text[start].isdigit():
                before_char = text[start - 1]
                if before_char.isdigit() or (
                    before_char in " .-/" and start >= 2 and text[start - 2].isdigit()
                ):
                    return 0
            context = contexts[index]
            if context is not None:
                lowered = lowered if lowered is not None else text.lower()
                if context.search(lowered, max(0, start - _CONTEXT_BEFORE), end + _CONTEXT_AFTER) is None:
                    return 0
            length = validators[index](text[start:end])
            if length:
                covered[start : start + length] = b"\x01" * length
                pattern = self._patterns[index]
                accepted.append((-rank[index], EntitySpan(start, start + length, pattern.type, "pattern")))
            return length or 0

        for _, _, start, index, end in ordered:
            length = check(index, start, end)
            if restarts is None or length >= end - start:
                continue
            # Whatever of the candidate was not accepted may hold the start of another. It ends within the
            # candidate: a match from a later start that ended further on would have made that end the
            # candidate's (Hyperscan keeps the longest match from each start it reports).
            position, restart = start + max(length, 1), restarts[index]
            while (found := restart.search(text, position, end)) is not None:
                inner = check(index, found.start(), found.end())
                position = found.start() + max(inner, 1)
        return accepted


def _longest_first(span: EntitySpan) -> tuple[int, int]:
    return span.start - span.end, span.start


def resolve_overlaps(ranked: list[tuple[int, EntitySpan]], length: int) -> list[EntitySpan]:
    """Keep the strongest span of each overlapping group: higher priority first, then longer."""
    ranked.sort(key=lambda item: (-item[0], item[1].start - item[1].end, item[1].start))
    covered = bytearray(length)
    kept: list[EntitySpan] = []
    for _, span in ranked:
        if covered.find(1, span.start, span.end) < 0:
            covered[span.start : span.end] = b"\x01" * (span.end - span.start)
            kept.append(span)
    kept.sort()
    return kept
