"""Restoring the caller's values in answers: exact for any split of the stream into chunks."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from inference.privacy.restore import StreamRestorer
from inference.privacy.vault import PseudonymVault


def _vault() -> PseudonymVault:
    vault = PseudonymVault()
    vault.pseudonym("PERSON", "Anna Schmidt")
    vault.pseudonym("PERSON", "Jean-Luc Picard")
    vault.pseudonym("EMAIL_ADDRESS", "anna@example.de")
    vault.remember("<IBAN_CODE_h3f9a2b1c4d5e>", "DE89 3704 0044 0532 0130 00")
    return vault


def _stream(vault: PseudonymVault, chunks: list[str]) -> str:
    restorer = StreamRestorer(vault)
    return "".join(restorer.feed(chunk) for chunk in chunks) + restorer.flush()


def test_vault_is_consistent_within_a_request() -> None:
    vault = PseudonymVault()
    assert vault.pseudonym("PERSON", "Anna Schmidt") == "<PERSON_1>"
    assert vault.pseudonym("PERSON", "anna  schmidt") == "<PERSON_1>"
    assert vault.pseudonym("PERSON", "Max Weber") == "<PERSON_2>"
    assert vault.pseudonym("EMAIL_ADDRESS", "a@b.de") == "<EMAIL_ADDRESS_1>"
    assert vault.original("<PERSON_1>") == "Anna Schmidt"
    assert "Anna" not in repr(vault)


def test_restore_replaces_known_tokens_only() -> None:
    vault = _vault()
    text = "Hi <PERSON_1>, mail <EMAIL_ADDRESS_1> or <PERSON_9>; <b>bold</b> a<b <IBAN_CODE_h3f9a2b1c4d5e>."
    assert vault.restore(text) == (
        "Hi Anna Schmidt, mail anna@example.de or <PERSON_9>; <b>bold</b> a<b DE89 3704 0044 0532 0130 00."
    )


def test_a_placeholder_split_over_many_deltas() -> None:
    vault = _vault()
    chunks = ["Dear <", "PER", "SON", "_", "2", ">", ", your mail <EMAIL_ADD", "RESS_1> works"]
    assert _stream(vault, chunks) == "Dear Jean-Luc Picard, your mail anna@example.de works"


def test_text_after_an_open_bracket_is_released_at_the_end() -> None:
    assert _stream(_vault(), ["a <PERSON"]) == "a <PERSON"
    assert _stream(_vault(), ["1 < 2", " and 3 <", " 4"]) == "1 < 2 and 3 < 4"


def test_an_empty_vault_passes_text_through() -> None:
    restorer = StreamRestorer(PseudonymVault())
    assert restorer.feed("<PERSON_1") == "<PERSON_1"


_PIECES = st.sampled_from(
    [
        "<PERSON_1>",
        "<PERSON_2>",
        "<EMAIL_ADDRESS_1>",
        "<IBAN_CODE_h3f9a2b1c4d5e>",
        "<PERSON_7>",
        "<",
        ">",
        "<b>",
        " ",
        "Hallo ",
        "é",
        "🙂",
        "_1",
        "PERSON",
        "\n",
        "a<b",
        "<<PERSON_1>>",
    ]
)


@settings(max_examples=500, deadline=None)
@given(
    pieces=st.lists(_PIECES, max_size=30), cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=25)
)
def test_restoration_is_exact_for_any_chunking(pieces: list[str], cuts: list[int]) -> None:
    vault = _vault()
    text = "".join(pieces)
    bounds = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    chunks = [text[a:b] for a, b in itertools.pairwise(bounds)]
    assert _stream(vault, chunks) == vault.restore(text)
