"""The country each detected entity points to, where its value names one."""

from __future__ import annotations

import pytest

from inference.privacy.detector import PiiDetector
from inference.privacy.evidence import NATIONAL_ID_COUNTRIES, entity_country, span_country


@pytest.mark.parametrize(
    ("entity_type", "value", "country"),
    [
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00", "DE"),
        ("IBAN_CODE", "fr34-3000-4008-2100-0174-8352-482", "FR"),
        ("EU_VAT_ID", "DE136695976", "DE"),
        ("EU_VAT_ID", "EL094259216", "GR"),  # Greece's VAT prefix is not its ISO code
        ("EU_VAT_ID", "XI 123456782", "GB"),  # Northern Ireland
        ("PHONE_NUMBER", "+49 (0)30 12345678", "DE"),
        ("PHONE_NUMBER", "0044 20 7946 0958", "GB"),
        ("PHONE_NUMBER", "+1 416 555 0123", "CA"),  # the region within a shared calling code
        ("PHONE_NUMBER", "+1 212 555 0147", "US"),
        ("PHONE_NUMBER", "+44 7700 900327", "GB"),  # possible, not valid: the calling code still tells
        ("PHONE_NUMBER", "+33\u202f6\u202f12\u202f34\u202f56\u202f78", "FR"),
        ("PHONE_NUMBER", "030 12345678", None),  # national form: valid in several countries
        ("PHONE_NUMBER", "+800 1234 5678", None),  # non-geographic
        ("US_SSN", "536-22-1234", "US"),
        ("DE_TAX_ID", "86095742719", "DE"),
        ("FR_NIR", "1 85 05 78 006 084 36", "FR"),
        ("ES_NIF", "48.291.637-D", "ES"),
        ("ES_NIE", "Y3419287Y", "ES"),
        ("IT_FISCAL_CODE", "RSSMRA85T10A562S", "IT"),
        ("NL_BSN", "111222333", "NL"),
        ("PL_PESEL", "44051401359", "PL"),
        ("PERSON", "Anna Schmidt", None),
        ("EMAIL_ADDRESS", "anna@example.de", None),
        ("CREDIT_CARD", "4111 1111 1111 1111", None),
        ("IP_ADDRESS", "192.0.2.1", None),
        ("SALESFORCE_ID", "001D000000IRt53IAD", None),
    ],
)
def test_entity_country(entity_type: str, value: str, country: str | None) -> None:
    assert entity_country(entity_type, value) == country


def test_every_national_id_names_its_state() -> None:
    assert set(NATIONAL_ID_COUNTRIES.values()) == {"US", "DE", "FR", "ES", "IT", "NL", "PL"}


def test_countries_of_detected_spans(detector: PiiDetector) -> None:
    text = "Konto DE89 3704 0044 0532 0130 00, Tel. +1 212 555 0147, SSN 536-22-1234, Frau Anna Schmidt"
    spans = detector.detect(text)
    assert [(s.type, span_country(text, s)) for s in spans] == [
        ("IBAN_CODE", "DE"),
        ("PHONE_NUMBER", "US"),
        ("US_SSN", "US"),
        ("PERSON", None),
    ]
