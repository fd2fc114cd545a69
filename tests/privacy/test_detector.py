"""The detector, type by type, against look-alikes; both scanners agree; caller values; NER plug-in."""

from __future__ import annotations

import random
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inference.bench.privacy_corpus import load_corpus, load_holdout
from inference.privacy.detector import PiiDetector
from inference.privacy.phones import valid_international, valid_national_format
from inference.privacy.scanner import char_offsets
from inference.privacy.validators import salesforce_suffix
from tests.privacy.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "mail me: jane.o'neil+shop@mail.example.co.uk.",
            [("EMAIL_ADDRESS", "jane.o'neil+shop@mail.example.co.uk")],
        ),
        ("Karte 4111-1111-1111-1111, gültig bis 12/27", [("CREDIT_CARD", "4111-1111-1111-1111")]),
        ("Amex 3782 822463 10005 2024", [("CREDIT_CARD", "3782 822463 10005")]),
        ("IBAN: FR14 2004 1010 0505 0001 3M02 606 BIC", [("IBAN_CODE", "FR14 2004 1010 0505 0001 3M02 606")]),
        ("Konto DE89370400440532013000.", [("IBAN_CODE", "DE89370400440532013000")]),
        (
            "von 192.168.178.24 und fe80::1ff:fe23:4567:890a",
            [("IP_ADDRESS", "192.168.178.24"), ("IP_ADDRESS", "fe80::1ff:fe23:4567:890a")],
        ),
        ("SSN 536-22-1234", [("US_SSN", "536-22-1234")]),
        ("USt-IdNr.: DE136695976", [("EU_VAT_ID", "DE136695976")]),
        ("Account 001D000000IRt53IAD", [("SALESFORCE_ID", "001D000000IRt53IAD")]),
        ("Tel. +49 (0)30 12345678", [("PHONE_NUMBER", "+49 (0)30 12345678")]),
        ("ring 020 7946 0958", [("PHONE_NUMBER", "020 7946 0958")]),
        ("Steuer-ID 86095742719", [("DE_TAX_ID", "86095742719")]),
        ("mijn BSN is 111222333", [("NL_BSN", "111222333")]),
        ("Codice fiscale RSSMRA85T10A562S", [("IT_FISCAL_CODE", "RSSMRA85T10A562S")]),
        ("Sehr geehrte Frau Dr. Müller-Lüdenscheidt,", [("PERSON", "Müller-Lüdenscheidt")]),
        ("Regards,\nSiobhán Ní Bhriain", [("PERSON", "Siobhán Ní Bhriain")]),
        ("Thomas Weber hat angerufen.", [("PERSON", "Thomas Weber")]),
    ],
)
def test_entities(detector: PiiDetector, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(detector, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Bestellnummer 400012345, Rechnung RE-2024-00012, SKU-4711-BLK-42",
        "EAN 4006381333931 and 5901234123457",  # EAN-13 barcodes, some of which pass Luhn
        "Sendung 1Z999AA10123456784 und JJD0001234567890",  # UPS and DHL tracking numbers
        "Preis 1.299,00 € statt $1,249.50, Lieferung am 12.03.2024 um 14:30",
        "App-Version 4.12.3, Build 20240312, 2 x 500 ml",
        "Order 1234 5678 9012 3456 failed",  # 16 digits that fail Luhn
        "order 400 012 3456 shipped",  # ten digits with spaces, no number plan fits
        "11 digits 12345678901 and 9 digits 123456789 without any ID word nearby",
        "The Samsung Galaxy S24 Ultra and AirPods Pro 2 arrived in Paris",
    ],
)
def test_look_alikes_stay_untouched(detector: PiiDetector, text: str) -> None:
    assert found(detector, text) == []


def test_weak_formats_need_their_word_nearby(detector: PiiDetector) -> None:
    assert found(detector, "Ref 86095742719") == []
    assert found(detector, "Steuer-ID 86095742719") == [("DE_TAX_ID", "86095742719")]
    assert found(detector, "Visa 4222222222222") == [("CREDIT_CARD", "4222222222222")]
    assert found(detector, "EAN 4222222222222") == []


def test_caller_values_are_found_anywhere_in_any_case(detector: PiiDetector) -> None:
    text = "Frau ZBIGNIEWA  wróblewska wohnt in Hauptstraße 5, 10115 Berlin; Wróblewska zahlt."
    known = {"PERSON": ["Zbigniewa Wróblewska"], "LOCATION": ["Hauptstraße 5, 10115 Berlin"]}
    assert _found_known(detector, text, known) == [
        ("PERSON", "ZBIGNIEWA  wróblewska"),
        ("LOCATION", "Hauptstraße 5, 10115 Berlin"),
        ("PERSON", "Wróblewska"),
    ]


def _found_known(detector: PiiDetector, text: str, known: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(s.type, text[s.start : s.end]) for s in detector.detect(text, known)]


def test_a_caller_value_wins_over_a_pattern(detector: PiiDetector) -> None:
    # The caller says this number is their customer number; the detector alone would call it a phone.
    text = "Kundennummer 030 12345678"
    assert _found_known(detector, text, {"CUSTOMER_NUMBER": ["030 12345678"]}) == [
        ("CUSTOMER_NUMBER", "030 12345678")
    ]


@pytest.mark.parametrize("corpus", [load_corpus, load_holdout], ids=["development", "held-out"])
def test_hyperscan_and_re_scanners_find_the_same(  # type: ignore[no-untyped-def]
    detector: PiiDetector, regex_detector: PiiDetector, corpus
) -> None:
    assert detector.scanner_name == "hyperscan"
    assert regex_detector.scanner_name == "re"
    for record in corpus():
        assert detector.detect(record.text) == regex_detector.detect(record.text), record.id


def test_a_person_recognizer_plugs_in() -> None:
    class FixedRecognizer:
        def find(self, text: str) -> list[tuple[int, int]]:
            start = text.find("Quixote")
            return [(start, start + len("Quixote"))] if start >= 0 else []

    plugged = PiiDetector(person_recognizer=FixedRecognizer())
    assert found(plugged, "ask quixote about Quixote") == [("PERSON", "Quixote")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aé€🙂b ü\nx", max_size=40))
def test_byte_offsets_map_to_character_offsets(text: str) -> None:
    data = text.encode()
    byte_offsets = [len(text[:index].encode()) for index in range(len(text) + 1)]
    to_char = char_offsets(data, byte_offsets)
    for index, offset in enumerate(byte_offsets):
        assert to_char[offset] == index


def test_phone_validity_matches_phonenumbers() -> None:
    # The fast check reads phonenumbers' own metadata; it must decide as phonenumbers does.
    rng = random.Random(7)
    for region in ["DE", "FR", "GB", "IT", "NL", "US", "ES", "AT", "CH", "PL", "BE"]:
        code = phonenumbers.country_code_for_region(region)
        for _ in range(600):
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 13)))
            expected = phonenumbers.is_valid_number(phonenumbers.parse(f"+{code}{digits}", None))
            assert valid_international(f"{code}{digits}") == expected, (region, digits)
    for region, lead in [
        ("DE", "0"),
        ("FR", "0"),
        ("GB", "0"),
        ("NL", "0"),
        ("IT", "0"),
        ("IT", "3"),
        ("US", "2"),
        ("US", "9"),
        ("ES", "6"),
        ("ES", "9"),
    ]:
        for _ in range(600):
            digits = lead + "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 11)))
            if digits.startswith(("00", str(phonenumbers.country_code_for_region(region)))):
                # An international prefix, or the country code without "+", which phonenumbers may
                # strip by guesswork; neither is a national number to this detector.
                continue
            expected = phonenumbers.is_valid_number(phonenumbers.parse(digits, region))
            assert valid_national_format(region, digits) == expected, (region, digits)


def test_salesforce_case_safe_suffix() -> None:
    assert salesforce_suffix("001D000000IRt53") == "IAD"
    assert salesforce_suffix("0030000000AbCdE") == "AAV"
    assert salesforce_suffix("aaaaaaaaaaaaaaa") == "AAA"
    assert salesforce_suffix("AAAAAAAAAAAAAAA") == "555"


def test_a_local_ner_model_plugs_in(tmp_path: Path) -> None:
    """A token-classification folder the test makes (random weights, biased to the PER label) runs
    through the real transformers pipeline; its PER spans become PERSON entities."""
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    from inference.privacy.ner import TransformersNer

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "quixote", "wrote", "a", "letter"]
    (tmp_path / "vocab.txt").write_text("\n".join(words) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt"), do_lower_case=True)
    config = BertConfig(
        vocab_size=len(words),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=3,
        id2label={0: "O", 1: "B-PER", 2: "I-PER"},
        label2id={"O": 0, "B-PER": 1, "I-PER": 2},
    )
    model = BertForTokenClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([0.0, 8.0, 0.0]))  # every token a person
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    ner = TransformersNer(tmp_path)
    spans = ner.find("hello quixote")
    assert spans
    assert all(0 <= start < end <= len("hello quixote") for start, end in spans)
    assert PiiDetector(person_recognizer=ner).detect("hello quixote")[0].source == "ner"
