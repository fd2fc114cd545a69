"""An optional, locally installed NER model for person names (a token-classification folder in the
Hugging Face format). Nothing is downloaded: deployments that ship such a model point `ner_model` at
it, and its PER entities join the detector's PERSON spans."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from inference.offline import forbid_downloads

_PERSON_LABELS = frozenset({"PER", "PERSON"})


class TransformersNer:
    """Person names from a token-classification model, aggregated to word spans."""

    def __init__(self, folder: Path, min_score: float = 0.5) -> None:
        forbid_downloads()
        from transformers import pipeline

        self._pipeline: Any = pipeline(
            "token-classification", model=str(folder), tokenizer=str(folder), aggregation_strategy="simple"
        )
        self._min_score = min_score
        self._lock = threading.Lock()  # a pipeline is not documented as thread-safe

    def find(self, text: str) -> list[tuple[int, int]]:
        with self._lock:
            entities = self._pipeline(text)
        return [
            (int(e["start"]), int(e["end"]))
            for e in entities
            if str(e.get("entity_group", "")).upper() in _PERSON_LABELS
            and float(e["score"]) >= self._min_score
        ]
