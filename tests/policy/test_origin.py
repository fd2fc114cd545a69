"""The X-Data-Origin contract: parsing and the region check, case by case."""

from __future__ import annotations

import pytest

from inference.policy.origin import (
    DataOriginInvalid,
    DataOriginMismatch,
    DataOriginMissing,
    OriginTag,
    check_origin,
    parse_origin_tag,
)

EU_REGION = frozenset({"EU", "EEA", "DE", "FR", "AT", "NL", "NO"})


@pytest.mark.parametrize(
    ("values", "codes"),
    [
        (["DE"], ("DE",)),
        (["de"], ("DE",)),
        (["De"], ("DE",)),
        (["DE,FR"], ("DE", "FR")),
        (["DE, FR ,\tAT"], ("DE", "FR", "AT")),
        (["EU"], ("EU",)),
        (["eea"], ("EEA",)),
        (["DE,DE,de"], ("DE",)),
        (["DE", "FR"], ("DE", "FR")),  # two header lines
        ([" NO "], ("NO",)),
    ],
)
def test_valid_tags_are_normalized(values: list[str], codes: tuple[str, ...]) -> None:
    assert parse_origin_tag(values) == OriginTag(codes)


@pytest.mark.parametrize("values", [[], [""], ["   "], ["\t"], ["", " "]])
def test_absent_or_blank_tag_is_missing(values: list[str]) -> None:
    with pytest.raises(DataOriginMissing) as raised:
        parse_origin_tag(values)
    assert raised.value.code == "data_origin_missing"
    assert raised.value.status_code == 400


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("DE;US", "'DE;US'"),  # another separator: never split, never half-accepted
        ("DE US", "'DE US'"),
        ("DE|FR", "'DE|FR'"),
        ("DE/FR", "'DE/FR'"),
        ("DE\r\nX-Data-Origin: US", "'DE\\r\\nX-Data-Origi...'"),
        ("DE,", "position 2"),
        (",DE", "position 1"),
        ("DE,,FR", "position 2"),
        ("ZZ", "'ZZ' is not an ISO 3166-1"),
        ("XX", "'XX' is not an ISO 3166-1"),
        ("UK", "did you mean 'GB'?"),
        ("EL", "did you mean 'GR'?"),
        ("DEU", "'DEU' is not an ISO 3166-1"),  # alpha-3 is not the contract
        ("D", "'D'"),
        ("276", "'276'"),  # numeric codes neither
        ("D\u0415", "'D\\u0415'"),  # Cyrillic E that looks like a Latin one
        ("Ｄ Ｅ", "'\\uff24 \\uff25'"),  # noqa: RUF001 - full-width letters on purpose
        ("*", "'*'"),
        ("DE" + ",FR" * 200, "characters long"),
    ],
)
def test_malformed_tags_are_invalid(value: str, fragment: str) -> None:
    with pytest.raises(DataOriginInvalid) as raised:
        parse_origin_tag([value])
    assert raised.value.code == "data_origin_invalid"
    assert raised.value.param == "X-Data-Origin"
    assert fragment in raised.value.message


def test_a_second_header_line_cannot_hide_a_bad_item() -> None:
    with pytest.raises(DataOriginInvalid):
        parse_origin_tag(["DE", "ZZ"])


def test_too_many_codes_is_invalid() -> None:
    codes = (
        "AT,BE,BG,HR,CY,CZ,DK,EE,FI,FR,DE,GR,HU,IE,IT,LV,LT,LU,MT,NL,PL,PT,RO,SK,SI,ES,SE,IS,LI,NO,CH,GB,US"
    )
    with pytest.raises(DataOriginInvalid, match="at most 32"):
        parse_origin_tag([codes])


def test_error_message_shows_only_a_short_printable_fragment() -> None:
    secret = "DE; card 4111 1111 1111 1111"
    with pytest.raises(DataOriginInvalid) as raised:
        parse_origin_tag([secret])
    assert "4111 1111 1111" not in raised.value.message


@pytest.mark.parametrize(
    ("codes", "refused"), [(("US",), "US"), (("DE", "US"), "US"), (("GB", "CH"), "GB, CH")]
)
def test_any_code_outside_the_region_is_a_mismatch(codes: tuple[str, ...], refused: str) -> None:
    with pytest.raises(DataOriginMismatch) as raised:
        check_origin(OriginTag(codes), "eu-central-1", EU_REGION)
    assert raised.value.status_code == 403
    assert raised.value.code == "data_origin_mismatch"
    assert f"origin {refused};" in raised.value.message


@pytest.mark.parametrize("codes", [("DE",), ("DE", "FR", "EU"), ("EEA", "NO")])
def test_every_code_accepted_passes(codes: tuple[str, ...]) -> None:
    check_origin(OriginTag(codes), "eu-central-1", EU_REGION)
