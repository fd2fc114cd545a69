"""Streaming text: incremental detokenization and stop strings across chunk boundaries."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inference.engines.text import IncrementalDetokenizer, StopMatcher


@pytest.mark.parametrize(
    "text",
    [
        "The customer asked about order 4711.",
        "Größe, Farbe: ä ö ü ß — 日本 ✓ 🙂 done",
        "  leading spaces and\nnew lines\n\n",
        "🙂🙂🙂",
    ],
)
def test_deltas_add_up_to_the_full_decode(tokenizer: Any, text: str) -> None:
    ids = tokenizer.encode(text, add_special_tokens=False)
    detokenizer = IncrementalDetokenizer(tokenizer)
    deltas = [detokenizer.push(i) for i in ids]
    deltas.append(detokenizer.flush())
    assert "".join(deltas) == tokenizer.decode(ids, skip_special_tokens=True) == text
    # Multi-byte characters split over byte-level tokens are never sent half-done.
    assert not any("\ufffd" in d for d in deltas)


@pytest.mark.parametrize("text", ["Preis 20 €", "中文", "Start 🚀", "Ωmega"])
def test_a_character_cut_by_the_end_of_generation_is_dropped_not_replaced(tokenizer: Any, text: str) -> None:
    ids = tokenizer.encode(text, add_special_tokens=False)
    whole = tokenizer.decode(ids)
    cut = next(
        n for n in range(len(ids) - 1, 0, -1) if tokenizer.decode(ids[:n]).endswith("\ufffd")
    )  # the last token boundary inside a multi-byte character
    detokenizer = IncrementalDetokenizer(tokenizer)
    sent = "".join(detokenizer.push(i) for i in ids[:cut]) + detokenizer.flush()
    assert "\ufffd" not in sent
    assert whole.startswith(sent)
    assert sent == tokenizer.decode(ids[:cut]).rstrip("\ufffd")


def test_special_tokens_are_not_sent(tokenizer: Any) -> None:
    ids = [
        *tokenizer.encode("Hello", add_special_tokens=False),
        tokenizer.convert_tokens_to_ids("<|endoftext|>"),
    ]
    detokenizer = IncrementalDetokenizer(tokenizer)
    assert "".join(detokenizer.push(i) for i in ids) + detokenizer.flush() == "Hello"


def _run(stops: tuple[str, ...], chunks: list[str]) -> tuple[str, bool]:
    matcher = StopMatcher(stops)
    out = []
    for chunk in chunks:
        out.append(matcher.feed(chunk))
        if matcher.stopped:
            return "".join(out), True
    out.append(matcher.flush())
    return "".join(out), False


@pytest.mark.parametrize(
    ("stops", "chunks", "expected"),
    [
        (("END",), ["abc", "E", "N", "D", "xyz"], ("abc", True)),
        (("END",), ["abcEN", "Dxyz"], ("abc", True)),
        (("END",), ["abcEN", "x"], ("abcENx", False)),
        (("END",), ["abcE"], ("abcE", False)),  # held back, released at the end
        (("\n\n", "###"), ["one\n", "\ntwo"], ("one", True)),
        (("ab", "b"), ["xab"], ("x", True)),
        ((), ["a", "b"], ("ab", False)),
    ],
)
def test_stop_strings(stops: tuple[str, ...], chunks: list[str], expected: tuple[str, bool]) -> None:
    assert _run(stops, chunks) == expected


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet="abcEND\n🙂", max_size=40),
    stop=st.text(alphabet="abcEND\n🙂", min_size=1, max_size=4),
    cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=8),
)
def test_any_chunking_gives_the_text_before_the_first_stop(text: str, stop: str, cuts: list[int]) -> None:
    bounds = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    chunks = [text[a:b] for a, b in itertools.pairwise(bounds)]
    position = text.find(stop)
    expected = (text[:position], True) if position >= 0 else (text, False)
    assert _run((stop,), chunks) == expected
