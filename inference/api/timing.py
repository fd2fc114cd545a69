"""Where a request's time goes, stage by stage: sent back in a `Server-Timing` header (and, for a
stream, in an SSE comment before `[DONE]`), and observed in the `regional_llm:request_stage_seconds`
histogram. `regional-llm bench serve` aggregates them per stage."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

# In request order. `queue` and `first_token` split the engine's time to the first token: waiting for
# a slot, then prefill and the first decode step.
STAGES = (
    "origin",
    "pii_detect",
    "pii_anonymize",
    "tokenize",
    "queue",
    "first_token",
    "restore",
    "audit",
)


class StageTimes:
    """Seconds spent in each stage of one request. Stages of parallel sequences (several prompts in one
    completion request) count their longest, not their sum: that is what the caller waited."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def longest(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = max(self.seconds.get(stage, 0.0), seconds)

    @contextmanager
    def measure(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - started)

    def header(self, total: float | None = None) -> str:
        """The `Server-Timing` value: `origin;dur=0.021, pii_detect;dur=0.310, ...` in milliseconds."""
        parts = [f"{stage};dur={self.seconds[stage] * 1000:.3f}" for stage in STAGES if stage in self.seconds]
        if total is not None:
            parts.append(f"total;dur={total * 1000:.3f}")
        return ", ".join(parts)
