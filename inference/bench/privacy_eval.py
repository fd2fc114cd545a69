"""Recall and false positives of the detector on a labelled corpus, per entity type, and person names'
recall per language."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from inference.bench.privacy_corpus import LANGUAGES, LabelledText
from inference.privacy.detector import PiiDetector
from inference.privacy.entities import PERSON


@dataclass
class Evaluation:
    """Counts over a corpus. An entity counts as found when a span of its type covers all of it (so no
    part of the value survives anonymization); a false positive is a span that touches no labelled
    entity; a decoy is touched when any span overlaps it."""

    records: int = 0
    labelled: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    false_positives: Counter[str] = field(default_factory=Counter)
    decoys: int = 0
    decoys_touched: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)  # (record id, entity type), never values
    people: Counter[str] = field(default_factory=Counter)  # PERSON entities per language
    people_found: Counter[str] = field(default_factory=Counter)

    def recall(self, entity_type: str) -> float:
        return self.found[entity_type] / self.labelled[entity_type] if self.labelled[entity_type] else 1.0

    def rows(self) -> list[tuple[str, int, int, float, int]]:
        """(type, labelled, found, recall, false positives), types in a stable order."""
        types = sorted(set(self.labelled) | set(self.false_positives))
        return [(t, self.labelled[t], self.found[t], self.recall(t), self.false_positives[t]) for t in types]

    def people_recall(self, language: str) -> float:
        """PERSON recall in one language's texts."""
        return self.people_found[language] / self.people[language] if self.people[language] else 1.0

    def markdown(self, title: str) -> str:
        lines = [
            f"{title}: {self.records} texts, {sum(self.labelled.values())} entities, {self.decoys} decoys "
            f"({self.decoys_touched} touched)",
            "",
            "| entity type | labelled | found | recall | false positives |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [f"| {t} | {n} | {f} | {r:.0%} | {fp} |" for t, n, f, r, fp in self.rows()]
        languages = [language for language in LANGUAGES if self.people[language]]
        lines += [
            "",
            "| PERSON by language | " + " | ".join(languages) + " |",
            "|---|" + "---:|" * len(languages),
            "| found / labelled | "
            + " | ".join(f"{self.people_found[x]} / {self.people[x]}" for x in languages)
            + " |",
            "| recall | " + " | ".join(f"{self.people_recall(x):.0%}" for x in languages) + " |",
        ]
        return "\n".join(lines)


def evaluate(detector: PiiDetector, corpus: Sequence[LabelledText]) -> Evaluation:
    """Run the detector over every text of `corpus` and count."""
    result = Evaluation(records=len(corpus))
    for record in corpus:
        spans = detector.detect(record.text)
        for entity in record.entities:
            result.labelled[entity.label] += 1
            found = any(
                s.type == entity.label and s.start <= entity.start and s.end >= entity.end for s in spans
            )
            if found:
                result.found[entity.label] += 1
            else:
                result.misses.append((record.id, entity.label))
            if entity.label == PERSON:
                result.people[record.language] += 1
                result.people_found[record.language] += found
        for span in spans:
            if not any(span.start < e.end and e.start < span.end for e in record.entities):
                result.false_positives[span.type] += 1
        for decoy in record.decoys:
            result.decoys += 1
            if any(span.start < decoy.end and decoy.start < span.end for span in spans):
                result.decoys_touched += 1
    return result
