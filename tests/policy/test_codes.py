"""The code tables against an independent source (pycountry's copy of the ISO 3166 database)."""

from __future__ import annotations

import pycountry

from inference.policy.codes import EEA_MEMBER_STATES, EU_MEMBER_STATES, ISO_3166_ALPHA2


def test_iso_alpha2_list_matches_pycountry() -> None:
    assert {c.alpha_2 for c in pycountry.countries} == ISO_3166_ALPHA2


def test_eu_and_eea_membership() -> None:
    assert len(EU_MEMBER_STATES) == 27
    assert "GB" not in EU_MEMBER_STATES
    assert {"IS", "LI", "NO"} == EEA_MEMBER_STATES - EU_MEMBER_STATES
    assert EEA_MEMBER_STATES <= ISO_3166_ALPHA2
