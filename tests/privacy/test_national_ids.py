"""The fast national id checks answer as python-stdnum's `is_valid` does, for valid and invalid values."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.pl import pesel

from inference.privacy import national_ids

_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FISCAL_DIGITS = _DIGITS + "LMNPQRSTUV"


def _text(alphabet: str, low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=low, max_size=high)


def _every_last(values: st.SearchStrategy[str], alphabet: str) -> st.SearchStrategy[list[str]]:
    """A value with each possible last character, so that some of them pass the check digit."""
    return values.map(lambda value: [value[:-1] + char for char in alphabet] if value else [value])


_CASES: list[tuple[str, Callable[[str], bool], Callable[[str], bool], st.SearchStrategy[list[str]]]] = [
    ("pesel", national_ids.pl_pesel, pesel.is_valid, _every_last(_text(_DIGITS, 9, 12), _DIGITS)),
    ("idnr", national_ids.de_idnr, idnr.is_valid, _every_last(_text("0123456", 10, 12), _DIGITS)),
    ("bsn", national_ids.nl_bsn, bsn.is_valid, _every_last(_text(_DIGITS, 7, 10), _DIGITS)),
    ("dni", national_ids.es_dni, dni.is_valid, _every_last(_text(_DIGITS, 8, 10), _LETTERS + "1")),
    (
        "nie",
        national_ids.es_nie,
        nie.is_valid,
        _every_last(st.tuples(st.sampled_from("XYZA1"), _text(_DIGITS, 7, 9)).map("".join), _LETTERS),
    ),
    (
        "nir",
        national_ids.fr_nir,
        nir.is_valid,
        st.tuples(
            _text("12", 1, 1),
            _text(_DIGITS, 4, 4),
            st.sampled_from(["2A", "2B", "2C", "A1", "19", "75"]),
            _text(_DIGITS, 7, 9),
        ).map(lambda parts: ["".join(parts)]),
    ),
    (
        "codice fiscale",
        national_ids.it_fiscal_code,
        codicefiscale.is_valid,
        _every_last(
            st.tuples(
                _text(_LETTERS, 6, 6),
                _text(_FISCAL_DIGITS + "X", 2, 2),
                st.sampled_from("ABCDEHLMPRSTZ"),
                _text(_FISCAL_DIGITS, 2, 2),
                _text(_LETTERS + "1", 1, 1),
                _text(_FISCAL_DIGITS, 3, 3),
                _text(_LETTERS, 1, 2),
            ).map("".join),
            _LETTERS,
        ),
    ),
]


@pytest.mark.parametrize(
    ("fast", "stdnum_check", "values"), [case[1:] for case in _CASES], ids=[c[0] for c in _CASES]
)
def test_national_id_checks_answer_as_stdnum_does(
    fast: Callable[[str], bool], stdnum_check: Callable[[str], bool], values: st.SearchStrategy[list[str]]
) -> None:
    @settings(max_examples=400, deadline=None)
    @given(values)
    def check(batch: list[str]) -> None:
        for value in batch:
            assert fast(value) == stdnum_check(value), value

    check()


@pytest.mark.parametrize(
    ("fast", "value"),
    [
        (national_ids.pl_pesel, "44051401359"),
        (national_ids.de_idnr, "86095742719"),
        (national_ids.nl_bsn, "111222333"),
        (national_ids.es_dni, "12345678Z"),
        (national_ids.es_nie, "X1234567L"),
        (national_ids.fr_nir, "258092928787826"),
        (national_ids.it_fiscal_code, "RSSMRA85T10A562S"),
        # Fullwidth digits, which stdnum reads as digits, go to stdnum itself.
        (national_ids.pl_pesel, "".join(chr(ord(digit) + 0xFF10 - 0x30) for digit in "44051401359")),
    ],
)
def test_valid_ids_pass(fast: Callable[[str], bool], value: str) -> None:
    assert fast(value)
