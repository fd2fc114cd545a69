"""Structured values in the forms people really write them, each a class the detector once let through:
15-character Salesforce ids, phone numbers in ranges not (yet) assigned, IBANs in any case and grouping,
typographic spaces inside numbers, addresses written to dodge harvesters or with accented letters,
national formats of the covered countries; and the look-alikes next to them that must stay."""

from __future__ import annotations

import pytest

from inference.privacy.detector import PiiDetector
from inference.privacy.scanner import single_byte_expression
from tests.privacy.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 15-character record ids of standard objects, without a run of four zeros.
        ("Case 5003z001XyZ12Ab escalated", [("SALESFORCE_ID", "5003z001XyZ12Ab")]),
        ("Task 00T7Q001Rk2bQ9x done", [("SALESFORCE_ID", "00T7Q001Rk2bQ9x")]),
        (
            "User 005Hs00AbcdEFGh, Asset 02i4W001xYz89Ab",
            [("SALESFORCE_ID", "005Hs00AbcdEFGh"), ("SALESFORCE_ID", "02i4W001xYz89Ab")],
        ),
        ("custom object a0X8d001TqRsXyZ", [("SALESFORCE_ID", "a0X8d001TqRsXyZ")]),
        ("Salesforce contract record 800300012345678", [("SALESFORCE_ID", "800300012345678")]),
        # Possible numbers in international form, whatever the plan says of their ranges today.
        ("call +44 7700 900327 now", [("PHONE_NUMBER", "+44 7700 900327")]),
        ("or +1 555 010 0199", [("PHONE_NUMBER", "+1 555 010 0199")]),
        ("ES +34 590 112 233", [("PHONE_NUMBER", "+34 590 112 233")]),
        # IBANs in lower case, grouped with dashes or dots, or not grouped.
        ("IBAN de89 3704 0044 0532 0130 00 bitte", [("IBAN_CODE", "de89 3704 0044 0532 0130 00")]),
        ("IBAN DE89-3704-0044-0532-0130-00.", [("IBAN_CODE", "DE89-3704-0044-0532-0130-00")]),
        ("iban nl71.rabo.0318.4226.17", [("IBAN_CODE", "nl71.rabo.0318.4226.17")]),
        ("to gb74barc20035376512849 please", [("IBAN_CODE", "gb74barc20035376512849")]),
        # Typographic spaces (a French phone number's narrow no-break spaces) inside numbers.
        ("tél. 06\u202f41\u202f27\u202f88\u202f19", [("PHONE_NUMBER", "06\u202f41\u202f27\u202f88\u202f19")]),
        ("Karte 5105\u00a01051\u00a00510\u00a05100", [("CREDIT_CARD", "5105\u00a01051\u00a00510\u00a05100")]),
        ("card 4111.1111.1111.1111", [("CREDIT_CARD", "4111.1111.1111.1111")]),
        # Addresses written against harvesters, and with accented letters.
        (
            "mail anna.schmidt (at) example (dot) de",
            [("EMAIL_ADDRESS", "anna.schmidt (at) example (dot) de")],
        ),
        (
            "omar.alrashid(at)eircom.net or x<at>y.org",
            [("EMAIL_ADDRESS", "omar.alrashid(at)eircom.net"), ("EMAIL_ADDRESS", "x<at>y.org")],
        ),
        ("anna at example dot com", [("EMAIL_ADDRESS", "anna at example dot com")]),
        ("an jürgen.müller@bäckerei-müller.de", [("EMAIL_ADDRESS", "jürgen.müller@bäckerei-müller.de")]),
        # Spanish ids as they are printed.
        ("DNI 48.291.637-D", [("ES_NIF", "48.291.637-D")]),
        ("NIE Y.3419287.Y", [("ES_NIE", "Y.3419287.Y")]),
    ],
)
def test_formats_people_write(detector: PiiDetector, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(detector, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "export hash 0a1b2c3d4e5f607 and 3f9a2b1c4d5e6f7",  # hex, no record id's structure
        "Salesforce sync: web order 500123456789012",  # 15 digits, no record id's structure
        "order 500300012345678 shipped",  # a record id's digits, but no Salesforce word nearby
        "SKU-4711-BLK-42 and part A1B2C3D4E5F6G7H",
        "0044 7700 900327",  # with 00 only valid numbers: zero-padded order numbers look like this
        "I'm at home.com today",
        "version 4.12.3, build 2024.03.12, 1.299,00 €",
    ],
)
def test_look_alikes_of_the_new_formats_stay(detector: PiiDetector, text: str) -> None:
    assert found(detector, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Found before as well: an Italian code in lower case (now two cheaper patterns), and mobile
        # numbers of AT, CH, BE and IE dialled at home (their national formats fit the plans of DE, FR,
        # IT or NL, which are tried).
        ("codice fiscale bncmrc82m14f205i", [("IT_FISCAL_CODE", "bncmrc82m14f205i")]),
        ("Tel 0664 1234567", [("PHONE_NUMBER", "0664 1234567")]),
        ("Tel 078 614 22 90", [("PHONE_NUMBER", "078 614 22 90")]),
        ("tel 0486 21 77 30", [("PHONE_NUMBER", "0486 21 77 30")]),
        ("ring 085 712 3904", [("PHONE_NUMBER", "085 712 3904")]),
    ],
)
def test_formats_stillfound(detector: PiiDetector, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(detector, text) == expected


def test_single_byte_expressions() -> None:
    # Characters Windows-1252 has become their byte; ranges and characters it lacks leave classes.
    assert single_byte_expression("[a-zß-ö]+") == r"[a-z\xDF-\xF6]+"
    assert single_byte_expression("[A-ZĀ-ž']") == "[A-Z']"
    assert single_byte_expression("Grüße") == r"Gr\xFC\xDFe"
    assert single_byte_expression("Łukasz") is None


def test_both_encodings_find_the_same(detector: PiiDetector) -> None:
    # "ł" forces the UTF-8 scan, "€" the single-byte one: the spans are the same either way.
    base = "Herr Jürgen Weiß, IBAN de89 3704 0044 0532 0130 00, Tel. +49 30 12345678, mail j.weiss@müller.de"
    single, utf8 = base + " (5 €)", base + " (5 zł)"
    assert found(detector, single) == found(detector, utf8)
    assert len(found(detector, single)) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A word before the IBAN looks like the start of one; Hyperscan reports only the leftmost start per
        # end, so the real one was hidden inside the failed candidate and left in clear.
        ("IP74 4LB und GB66XYCJ87740000091644", [("IBAN_CODE", "GB66XYCJ87740000091644")]),
        ("ref DE12 ab DE89 3704 0044 0532 0130 00", [("IBAN_CODE", "DE89 3704 0044 0532 0130 00")]),
    ],
)
def test_an_entity_inside_a_failed_candidate_is_found_by_either_scanner(
    detector: PiiDetector, regex_detector: PiiDetector, text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(detector, text) == expected
    assert found(regex_detector, text) == expected
