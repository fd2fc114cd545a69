"""`regional-llm bench privacy`: the cost of the privacy stage per ~2 KB message, next to
presidio-analyzer in its offline configuration on the same texts, in the same run."""

from __future__ import annotations

import json
import logging
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from inference.bench.privacy_corpus import load_corpus, load_holdout
from inference.privacy.screen import PrivacyScreen


def build_messages(size: int = 2048) -> list[str]:
    """Messages of about `size` characters: texts of one language from the labelled corpora (chat
    messages and CRM notes, with their decoys) joined until the size is reached."""
    by_language: dict[str, list[str]] = {}
    for record in (*load_corpus(), *load_holdout()):
        by_language.setdefault(record.language, []).append(record.text)
    messages: list[str] = []
    for texts in by_language.values():
        current: list[str] = []
        for text in texts:
            current.append(text)
            if sum(len(t) + 2 for t in current) >= size:
                messages.append("\n\n".join(current))
                current = []
        if current and sum(len(t) + 2 for t in current) >= size // 2:
            messages.append("\n\n".join(current))
    return messages


@dataclass
class Timing:
    """Latency per message, in milliseconds."""

    name: str
    samples: int
    median_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float

    @property
    def per_second(self) -> float:
        return 1000.0 / self.mean_ms if self.mean_ms else 0.0


def time_per_message(
    name: str, run: Callable[[str], object], messages: Sequence[str], rounds: int, progress: bool
) -> Timing:
    """Time `run` on every message, `rounds` times after one warm-up round."""
    for message in messages:
        run(message)
    samples: list[float] = []
    with tqdm(
        total=rounds * len(messages), desc=name, file=sys.stderr, disable=not progress, leave=False
    ) as bar:
        for _ in range(rounds):
            for message in messages:
                started = time.perf_counter()
                run(message)
                samples.append((time.perf_counter() - started) * 1000)
                bar.update()
    samples.sort()
    return Timing(
        name=name,
        samples=len(samples),
        median_ms=statistics.median(samples),
        p90_ms=samples[int(0.90 * (len(samples) - 1))],
        p99_ms=samples[int(0.99 * (len(samples) - 1))],
        mean_ms=statistics.fmean(samples),
    )


def presidio_analyzer() -> Callable[[str], object]:
    """presidio-analyzer as it runs without downloads: the no-op NLP engine (no spaCy model exists on
    PyPI) and every predefined pattern recognizer, with tldextract kept offline."""
    import tldextract
    from presidio_analyzer import AnalyzerEngine

    # It warns once per recognizer of another language than the one it is set up for.
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    # Its e-mail recognizer calls tldextract.extract, which would fetch the public suffix list.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # type: ignore[assignment]
    provider = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "no_op", "models": [{"lang_code": "en", "model_name": "none"}]}
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    return lambda text: engine.analyze(text=text, language="en")


def run_privacy_bench(
    screen: PrivacyScreen,
    region_id: str,
    *,
    size: int = 2048,
    rounds: int = 20,
    compare_presidio: bool = True,
    progress: bool = True,
) -> dict[str, Any]:
    """Time the privacy stage (detect + anonymize, and detect alone) and presidio-analyzer."""
    messages = build_messages(size)
    timings = [
        time_per_message(
            "regional-llm detect + anonymize",
            lambda m: screen.screen([m], region_id=region_id, redact_blocked=True),
            messages,
            rounds,
            progress,
        ),
        time_per_message("regional-llm detect only", screen.detector.detect, messages, rounds, progress),
    ]
    if compare_presidio:
        timings.append(
            time_per_message(
                "presidio-analyzer (offline)", presidio_analyzer(), messages, max(1, rounds // 4), progress
            )
        )
    return {
        "messages": len(messages),
        "mean_message_chars": round(statistics.fmean(len(m) for m in messages)),
        "rounds": rounds,
        "scanner": screen.detector.scanner_name,
        "region": region_id,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "timings": [asdict(t) | {"per_second": round(t.per_second, 1)} for t in timings],
    }


def render(result: dict[str, Any]) -> str:
    """The result as a table, with the ratio to presidio-analyzer."""
    lines = [
        f"privacy benchmark: {result['messages']} messages of {result['mean_message_chars']} characters on "
        f"average (EN, DE, FR, ES, IT, NL), region {result['region']}, scanner {result['scanner']}, "
        f"{result['rounds']} rounds",
        "",
        f"{'':34}{'median':>10}{'p90':>10}{'p99':>10}{'mean':>10}{'msg/s':>10}",
    ]
    for t in result["timings"]:
        lines.append(
            f"{t['name']:34}{t['median_ms']:>8.3f}ms{t['p90_ms']:>8.3f}ms{t['p99_ms']:>8.3f}ms"
            f"{t['mean_ms']:>8.3f}ms{t['per_second']:>10.0f}"
        )
    timings = {t["name"]: t for t in result["timings"]}
    theirs = timings.get("presidio-analyzer (offline)")
    if theirs is not None:
        lines.append("")
        for name, what in (
            ("regional-llm detect only", "detection"),
            ("regional-llm detect + anonymize", ""),
        ):
            ours = timings[name]
            lines.append(
                f"presidio-analyzer / {name}: {theirs['median_ms'] / ours['median_ms']:.0f}x at the median, "
                f"{theirs['p99_ms'] / ours['p99_ms']:.0f}x at p99"
                + (f" (like for like: {what})" if what else " (regional-llm also anonymizes)")
            )
    return "\n".join(lines)


def write_json(result: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
