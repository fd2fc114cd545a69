"""The labelled, multilingual PII test corpora (shop chat messages and CRM notes), and their loader.

Two corpora ship as package data, one JSON object per line (``id``, ``language``, ``kind``, ``marked``):

- ``corpora/development.jsonl``, the records the detector's cues were built on;
- ``corpora/holdout.jsonl``, written afterwards and never used for development: its situations, people and
  numbers are new, not paraphrases, so that a detector tuned on the first is measured honestly on this
  one. Its ids have the form ``ho-<language>-<chat|crm>-<nn>``, so they never collide with the first's.

Each record's text is written as marked-up text, so that offsets are computed and never typed by hand:

- ``[[TYPE|value]]`` marks an entity, personal data an anonymizer must find (``[[PERSON|Anna Schmidt]]``);
  the types are the detector's own (:data:`inference.privacy.entities.DETECTED_TYPES`);
- ``{{KIND|value}}`` marks a decoy, a value that looks like personal data but is not, and which an
  anonymizer must leave untouched (``{{SKU|SKU-4711-BLK-42}}``).

The characters ``[[``, ``]]``, ``{{``, ``}}`` and ``|`` appear nowhere else in the texts. All names,
numbers and addresses are invented; every entity value is valid for its type (check digits included), so
that a validating detector has no excuse to miss it. Street addresses, cities, company names and dates of
birth are deliberately left unmarked (in the held-out corpus also short card endings and gift card codes).
Names keep their own letters (accents, umlauts, a Turkish dotless i).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from inference.privacy.entities import DETECTED_TYPES

DECOY_KINDS: tuple[str, ...] = (
    "SKU",
    "EAN",
    "ORDER_NUMBER",
    "PRICE",
    "TRACKING_NUMBER",
    "DATE",
    "TIME",
    "QUANTITY",
    "POSTAL_CODE",
    "INVOICE_NUMBER",
    "PRODUCT",
    "VERSION",
)

LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "nl")
TEXT_KINDS: tuple[str, ...] = ("chat", "crm_note")

# The corpora, by name: files under the package's corpora/ folder.
CORPUS_FILES: dict[str, str] = {"development": "development.jsonl", "holdout": "holdout.jsonl"}
_FIELDS = ("id", "language", "kind", "marked")


@dataclass(frozen=True)
class LabelledSpan:
    """One marked value: an entity type or a decoy kind, with offsets into the clean text."""

    label: str
    start: int
    end: int  # exclusive
    value: str  # == text[start:end]


@dataclass(frozen=True)
class LabelledText:
    """One record of the corpus, with the markup removed."""

    id: str
    language: str
    kind: str
    text: str
    entities: tuple[LabelledSpan, ...]
    decoys: tuple[LabelledSpan, ...]


# One marked span: an entity in double brackets or a decoy in double braces; neither label nor value may
# contain a bracket, a brace or a bar, so anything left over is malformed markup.
_SPAN = re.compile(
    r"\[\[(?P<etype>[^\[\]{}|]*)\|(?P<evalue>[^\[\]{}|]*)\]\]"
    r"|\{\{(?P<dkind>[^\[\]{}|]*)\|(?P<dvalue>[^\[\]{}|]*)\}\}"
)
_STRAY = re.compile(r"\[\[|\]\]|\{\{|\}\}|\|")


def _check_plain(record_id: str, marked: str, start: int, end: int) -> None:
    stray = _STRAY.search(marked, start, end)
    if stray is not None:
        raise ValueError(
            f"{record_id}: malformed markup: stray {stray.group()!r} at offset {stray.start()}"
            f" (near {marked[max(0, stray.start() - 20) : stray.start() + 20]!r})"
        )


def parse(record_id: str, language: str, kind: str, marked: str) -> LabelledText:
    """Turn one marked-up record into clean text and spans; raise ValueError on malformed markup."""
    if language not in LANGUAGES:
        raise ValueError(f"{record_id}: unknown language {language!r}, expected one of {LANGUAGES}")
    if kind not in TEXT_KINDS:
        raise ValueError(f"{record_id}: unknown kind {kind!r}, expected one of {TEXT_KINDS}")
    pieces: list[str] = []
    length = 0
    entities: list[LabelledSpan] = []
    decoys: list[LabelledSpan] = []
    position = 0
    for match in _SPAN.finditer(marked):
        _check_plain(record_id, marked, position, match.start())
        plain = marked[position : match.start()]
        pieces.append(plain)
        length += len(plain)
        is_entity = match.group("etype") is not None
        label = match.group("etype") if is_entity else match.group("dkind")
        value = match.group("evalue") if is_entity else match.group("dvalue")
        known = DETECTED_TYPES if is_entity else DECOY_KINDS
        if label not in known:
            what = "entity type" if is_entity else "decoy kind"
            raise ValueError(f"{record_id}: unknown {what} {label!r} in {match.group()!r}")
        if not value or value != value.strip():
            raise ValueError(f"{record_id}: empty value or surrounding blanks in {match.group()!r}")
        span = LabelledSpan(label=label, start=length, end=length + len(value), value=value)
        (entities if is_entity else decoys).append(span)
        pieces.append(value)
        length += len(value)
        position = match.end()
    _check_plain(record_id, marked, position, len(marked))
    pieces.append(marked[position:])
    return LabelledText(
        id=record_id,
        language=language,
        kind=kind,
        text="".join(pieces),
        entities=tuple(entities),
        decoys=tuple(decoys),
    )


def corpus_file(name: str) -> Traversable:
    """The packaged JSONL file of the corpus `name` ("development" or "holdout")."""
    return resources.files("inference.bench") / "corpora" / CORPUS_FILES[name]


def read_corpus(source: Traversable) -> list[LabelledText]:
    """Parse every line of a corpus file; raise ValueError naming the file and line on a bad one."""
    records: list[LabelledText] = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{source.name}:{number}"
        try:
            fields = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not a JSON object: {exc}") from None
        if not isinstance(fields, dict) or sorted(fields) != sorted(_FIELDS):
            raise ValueError(f"{where}: expected an object with exactly the fields {', '.join(_FIELDS)}")
        if not all(isinstance(fields[key], str) for key in _FIELDS):
            raise ValueError(f"{where}: every field must be a string")
        try:
            records.append(parse(fields["id"], fields["language"], fields["kind"], fields["marked"]))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    return records


@functools.lru_cache(maxsize=len(CORPUS_FILES))
def _load(name: str) -> tuple[LabelledText, ...]:
    return tuple(read_corpus(corpus_file(name)))


def load_corpus() -> list[LabelledText]:
    """Every record of the development corpus, parsed (once per process)."""
    return list(_load("development"))


def load_holdout() -> list[LabelledText]:
    """Every record of the held-out corpus, parsed (once per process)."""
    return list(_load("holdout"))
