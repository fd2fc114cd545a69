"""Checks the labelled PII corpora themselves: markup, offsets, and that every value is what its label says.

Every check applies to both the development corpus and the held-out corpus; only the sizes and the minimum
counts differ between them.

The validators here are independent of the corpus module: python-stdnum for IBANs, VAT and national IDs,
phonenumbers for phone numbers, ipaddress for IP addresses, and Luhn, EAN-13 and the Salesforce ID
checksum written out below.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import re
import string
from collections import Counter
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import phonenumbers
import pytest
from stdnum import iban
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.eu import vat
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.pl import pesel

from inference.bench.privacy_corpus import (
    CORPUS_FILES,
    DECOY_KINDS,
    LabelledSpan,
    LabelledText,
    corpus_file,
    load_corpus,
    load_holdout,
    parse,
    read_corpus,
)
from inference.privacy.entities import DETECTED_TYPES

CORPUS = load_corpus()
HOLDOUT = load_holdout()
CORPORA: dict[str, list[LabelledText]] = {"development": CORPUS, "holdout": HOLDOUT}
ALL_RECORDS = [*CORPUS, *HOLDOUT]
LANGUAGES = ("en", "de", "fr", "es", "it", "nl")
KINDS = ("chat", "crm_note")

# Regions a national-format phone number of a record may belong to ("+" numbers parse with any of them):
# the countries where the record's language is spoken.
PHONE_REGIONS = {
    "de": ("DE", "AT", "CH"),
    "fr": ("FR", "BE", "CH"),
    "es": ("ES",),
    "it": ("IT",),
    "nl": ("NL", "BE"),
    "en": ("GB", "US", "IE"),
}
# Spaces and dashes that typography puts inside numbers (no-break, narrow no-break, thin, figure space).
LOOKALIKE_SEPARATORS = str.maketrans(
    {"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2011": "-"}
)

# National IDs: the one language whose records may hold them (None: any), and words one of which must
# stand shortly before the value, the way people write them.
NATIONAL_IDS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "US_SSN": ("en", ("SSN", "social security")),
    "DE_TAX_ID": ("de", ("Steuer-ID", "Steuer-IdNr.", "Steueridentifikationsnummer")),
    "FR_NIR": ("fr", ("NIR", "sécurité sociale", "n° de sécu")),
    "ES_NIF": ("es", ("DNI",)),
    "ES_NIE": ("es", ("NIE",)),
    "IT_FISCAL_CODE": ("it", ("codice fiscale", "Codice fiscale", "CF")),
    "NL_BSN": ("nl", ("BSN", "burgerservicenummer")),
    "PL_PESEL": (None, ("PESEL",)),
}
CONTEXT_CHARS = 80

MIN_COUNTS = {label: 8 for label in DETECTED_TYPES} | {label: 6 for label in NATIONAL_IDS} | {"PERSON": 60}
MIN_COUNTS["US_SSN"] = 8
HOLDOUT_MIN_COUNTS = {label: 3 for label in DETECTED_TYPES} | {"PERSON": 30}

# What differs between the corpora: id form, shortest text, records per language, minimum entity counts,
# and how many records must hold no entity at all.
ID_PATTERNS = {
    "development": r"(en|de|fr|es|it|nl)-(chat|crm)-\d{2}",
    "holdout": r"ho-(en|de|fr|es|it|nl)-(chat|crm)-\d{2}",
}
MIN_LENGTHS = {"development": 100, "holdout": 150}
RECORDS_PER_LANGUAGE = {"development": 17, "holdout": 7}
MIN_COUNTS_BY_CORPUS = {"development": MIN_COUNTS, "holdout": HOLDOUT_MIN_COUNTS}
MIN_WITHOUT_ENTITIES = {"development": 12, "holdout": 6}

# Key prefixes of standard objects: Account, Contact, User, Opportunity, Lead, Task, Case, Campaign,
# Contract, Order, Asset; custom objects have "a" and a digit.
SALESFORCE_PREFIXES = ("001", "003", "005", "006", "00Q", "00T", "500", "701", "800", "801", "02i")


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def ean13_ok(code: str) -> bool:
    if not re.fullmatch(r"\d{13}", code):
        return False
    weighted = sum(int(char) * (3 if position % 2 else 1) for position, char in enumerate(code[:12]))
    return (10 - weighted % 10) % 10 == int(code[12])


def salesforce_suffix(id15: str) -> str:
    alphabet = string.ascii_uppercase + "012345"
    suffix = ""
    for chunk_start in range(0, 15, 5):
        chunk = id15[chunk_start : chunk_start + 5]
        bits = sum(1 << position for position, char in enumerate(chunk) if "A" <= char <= "Z")
        suffix += alphabet[bits]
    return suffix


def card_digits(value: str) -> str | None:
    """The digits of a card-shaped value (13-19 digits, grouped with spaces, dashes or dots or not), else
    None."""
    value = value.translate(LOOKALIKE_SEPARATORS)
    if not re.fullmatch(r"\d+(?:[ .-]\d+)*", value):
        return None
    digits = re.sub(r"[ .-]", "", value)
    return digits if 13 <= len(digits) <= 19 else None


def valid_phone(value: str, language: str) -> bool:
    """Valid in a region of the record's language; in international form (+), possible is enough: the
    detector must not let a number through because its range is unassigned today."""
    value = value.translate(LOOKALIKE_SEPARATORS)
    for region in PHONE_REGIONS[language]:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
        if value.startswith("+") and phonenumbers.is_possible_number(number):
            return True
    return False


def valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def valid_ssn(value: str) -> bool:
    match = re.fullmatch(r"(\d{3})([- ])(\d{2})\2(\d{4})", value)
    if match is None:
        return False
    area, group, serial = int(match[1]), int(match[3]), int(match[4])
    return area not in (0, 666) and area < 900 and group != 0 and serial != 0


def valid_salesforce_id(value: str) -> bool:
    if not re.fullmatch(r"[A-Za-z0-9]{15}(?:[A-Z0-5]{3})?", value):
        return False
    if not value.startswith(SALESFORCE_PREFIXES) and not re.match(r"a\d", value):
        return False
    return len(value) == 15 or value[15:] == salesforce_suffix(value[:15])


def valid_person(value: str) -> bool:
    # Words of letters, with hyphens, apostrophes and particles (van der, de la); capitalised, or as
    # some people type their own name, all in lower case ("my name is anna kowalska").
    words_ok = all(char.isalpha() or char in " -'" for char in value)
    return words_ok and (value[0].isupper() or value.islower())


def deobfuscated_email(value: str) -> str:
    """An address written as anna (at) example (dot) de, anna<at>example.de or anna at example dot de,
    with "@" and "."."""
    value = re.sub(r"\s*[(<]\s*at\s*[)>]\s*|\s+at\s+", "@", value, flags=re.IGNORECASE)
    return re.sub(r"\s*[(<]\s*dot\s*[)>]\s*|\s+dot\s+", ".", value, flags=re.IGNORECASE)


VALIDATORS: dict[str, Callable[[str, str], bool]] = {
    "PERSON": lambda value, _: valid_person(value),
    "EMAIL_ADDRESS": lambda value, _: (
        re.fullmatch(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", deobfuscated_email(value)) is not None
    ),
    "PHONE_NUMBER": valid_phone,
    "CREDIT_CARD": lambda value, _: (digits := card_digits(value)) is not None and luhn_ok(digits),
    "IBAN_CODE": lambda value, _: iban.is_valid(value.translate(LOOKALIKE_SEPARATORS)),
    "IP_ADDRESS": lambda value, _: valid_ip(value),
    "US_SSN": lambda value, _: valid_ssn(value),
    "EU_VAT_ID": lambda value, _: re.match(r"[A-Z]{2}", value) is not None and vat.is_valid(value),
    "SALESFORCE_ID": lambda value, _: valid_salesforce_id(value),
    "DE_TAX_ID": lambda value, _: idnr.is_valid(value),
    "FR_NIR": lambda value, _: nir.is_valid(value),
    "ES_NIF": lambda value, _: dni.is_valid(value.replace(".", "")),
    "ES_NIE": lambda value, _: nie.is_valid(value),
    "IT_FISCAL_CODE": lambda value, _: codicefiscale.is_valid(value),
    "NL_BSN": lambda value, _: bsn.is_valid(value),
    "PL_PESEL": lambda value, _: pesel.is_valid(value),
}


def all_spans(corpus: str, label: str) -> list[tuple[LabelledText, LabelledSpan]]:
    return [
        (record, span)
        for record in CORPORA[corpus]
        for span in (*record.entities, *record.decoys)
        if span.label == label
    ]


def entity_cases() -> list[tuple[str, str, str, str]]:
    return [
        (record.id, record.language, span.label, span.value)
        for record in ALL_RECORDS
        for span in record.entities
    ]


def test_corpora_are_package_data() -> None:
    # Reached the way an installed wheel reaches them, and nothing else lies beside them unread.
    folder = resources.files("inference.bench") / "corpora"
    assert sorted(entry.name for entry in folder.iterdir()) == sorted(CORPUS_FILES.values())
    for name, records in CORPORA.items():
        lines = corpus_file(name).read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(records) > 0


def test_corpora_use_every_detected_type_and_no_other() -> None:
    used = {span.label for record in ALL_RECORDS for span in record.entities}
    assert used == set(DETECTED_TYPES)


def test_every_entity_type_has_a_validator() -> None:
    assert set(VALIDATORS) == set(DETECTED_TYPES)
    assert not set(DETECTED_TYPES) & set(DECOY_KINDS)


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_ids_languages_kinds_and_sizes(corpus: str) -> None:
    records = CORPORA[corpus]
    ids = [record.id for record in records]
    assert len(ids) == len(set(ids)), [id_ for id_, count in Counter(ids).items() if count > 1]
    for record in records:
        match = re.fullmatch(ID_PATTERNS[corpus], record.id)
        assert match is not None, record.id
        assert record.language == match[1]
        assert record.kind == {"chat": "chat", "crm": "crm_note"}[match[2]]
        assert MIN_LENGTHS[corpus] <= len(record.text) <= 700, (record.id, len(record.text))
    per_language = Counter(record.language for record in records)
    assert per_language == dict.fromkeys(LANGUAGES, RECORDS_PER_LANGUAGE[corpus])
    assert {record.kind for record in records} == set(KINDS)


def test_ids_do_not_collide_across_corpora() -> None:
    assert not {record.id for record in CORPUS} & {record.id for record in HOLDOUT}


def _normalised(span: LabelledSpan) -> str:
    return span.value if span.label == "PERSON" else re.sub(r"[^0-9A-Za-z@]", "", span.value).upper()


def test_holdout_shares_no_entity_value_or_text_with_development_corpus() -> None:
    development = {_normalised(span) for record in CORPUS for span in record.entities}
    shared = [
        (record.id, span.value)
        for record in HOLDOUT
        for span in record.entities
        if _normalised(span) in development
    ]
    assert not shared
    assert not {record.text for record in CORPUS} & {record.text for record in HOLDOUT}


@pytest.mark.parametrize("record", ALL_RECORDS, ids=lambda record: record.id)
def test_offsets_and_no_markup_left(record: LabelledText) -> None:
    for marker in ("[[", "]]", "{{", "}}", "|"):
        assert marker not in record.text, marker
    spans = sorted((*record.entities, *record.decoys), key=lambda span: span.start)
    for span in spans:
        assert 0 <= span.start < span.end <= len(record.text)
        assert record.text[span.start : span.end] == span.value
        assert span.value == span.value.strip()
    for before, after in itertools.pairwise(spans):
        assert before.end <= after.start, (before, after)
    assert all(span.label in DETECTED_TYPES for span in record.entities)
    assert all(span.label in DECOY_KINDS for span in record.decoys)


@pytest.mark.parametrize("record", ALL_RECORDS, ids=lambda record: record.id)
def test_entity_values_are_not_left_unmarked_elsewhere(record: LabelledText) -> None:
    # A name or number that is marked once must be marked wherever it occurs in the same record.
    for entity in record.entities:
        for match in re.finditer(re.escape(entity.value), record.text):
            assert any(
                other.start <= match.start() and match.end() <= other.end for other in record.entities
            ), (entity.value, match.start())


@pytest.mark.parametrize(("record_id", "language", "label", "value"), entity_cases())
def test_entity_value_is_valid(record_id: str, language: str, label: str, value: str) -> None:
    assert VALIDATORS[label](value, language), f"{record_id}: {value!r} is not a valid {label}"


@pytest.mark.parametrize("corpus", sorted(CORPORA))
@pytest.mark.parametrize("label", sorted(NATIONAL_IDS))
def test_national_ids_stand_in_their_context(corpus: str, label: str) -> None:
    language, words = NATIONAL_IDS[label]
    for record, span in all_spans(corpus, label):
        assert language is None or record.language == language, (record.id, span.value)
        before = record.text[max(0, span.start - CONTEXT_CHARS) : span.start]
        assert any(word in before for word in words), (record.id, span.value, before)


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_ssns_mostly_with_dashes_a_few_with_spaces(corpus: str) -> None:
    values = [span.value for _, span in all_spans(corpus, "US_SSN")]
    with_spaces = [value for value in values if " " in value]
    assert 1 <= len(with_spaces) < len(values) / 2


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_salesforce_ids_in_both_forms(corpus: str) -> None:
    lengths = Counter(len(span.value) for _, span in all_spans(corpus, "SALESFORCE_ID"))
    assert set(lengths) == {15, 18}


def test_salesforce_suffix_worked_examples() -> None:
    # Worked by hand: "00Q5g" has an upper-case letter at index 2 (4: E), "0000i" none (0: A), "Fnq9R" at
    # indexes 0 and 4 (1 + 16 = 17: R); five upper-case letters give 31, the last of the alphabet (5).
    assert salesforce_suffix("00Q5g0000iFnq9R") == "EAR"
    assert salesforce_suffix("ABCDEabcde12345") == "5AA"


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_ean_decoys(corpus: str) -> None:
    eans = [span.value for _, span in all_spans(corpus, "EAN")]
    assert eans
    assert all(ean13_ok(value) for value in eans), eans
    assert sum(luhn_ok(value) for value in eans) >= 2, "some EANs must also pass Luhn"


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_card_shaped_decoys_fail_luhn(corpus: str) -> None:
    card_shaped = [
        (record.id, span.value, digits)
        for record in CORPORA[corpus]
        for span in record.decoys
        if span.label != "EAN" and (digits := card_digits(span.value)) is not None
    ]
    assert sum(len(digits) == 16 for _, _, digits in card_shaped) >= 2
    for record_id, value, digits in card_shaped:
        assert not luhn_ok(digits), (record_id, value)


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_numerically_dangerous_decoys_are_present(corpus: str) -> None:
    lengths = Counter(
        len(re.sub(r"[ #-]", "", span.value))
        for record in CORPORA[corpus]
        for span in record.decoys
        if re.fullmatch(r"#?\d+(?:[ -]\d+)*", span.value)
    )
    assert lengths[9] >= 2  # like a BSN
    assert lengths[11] >= 2  # like a German tax ID or a PESEL
    assert lengths[16] >= 2  # like a card number
    spaced_ten = [
        span.value
        for record in CORPORA[corpus]
        for span in record.decoys
        if " " in span.value
        and re.fullmatch(r"[\d ]+", span.value)
        and len(span.value.replace(" ", "")) == 10
    ]
    assert len(spaced_ten) >= 2  # like a phone number


def test_no_decoy_is_an_ip_address() -> None:
    for record in ALL_RECORDS:
        for span in record.decoys:
            assert not valid_ip(span.value), (record.id, span.value)


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_counts(corpus: str) -> None:
    records = CORPORA[corpus]
    entity_counts = Counter(span.label for record in records for span in record.entities)
    for label, minimum in MIN_COUNTS_BY_CORPUS[corpus].items():
        assert entity_counts[label] >= minimum, (label, entity_counts[label])
    decoy_counts = Counter(span.label for record in records for span in record.decoys)
    assert set(decoy_counts) == set(DECOY_KINDS)
    assert sum(1 for record in records if not record.entities) >= MIN_WITHOUT_ENTITIES[corpus]
    assert sum(1 for record in records if 1 <= len(record.decoys) <= 3) > len(records) / 2


@pytest.mark.parametrize("corpus", sorted(CORPORA))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_covers_its_entity_types(corpus: str, language: str) -> None:
    found = {
        span.label for record in CORPORA[corpus] if record.language == language for span in record.entities
    }
    expected = {
        "PERSON",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "IBAN_CODE",
        "IP_ADDRESS",
        "EU_VAT_ID",
        "SALESFORCE_ID",
        "PL_PESEL",
    }
    expected |= {label for label, (only, _) in NATIONAL_IDS.items() if only == language}
    assert expected <= found, expected - found


def test_parse_computes_offsets() -> None:
    record = parse(
        "t-1", "de", "chat", "Hallo, [[PERSON|Anna Schmidt]] hier, Artikel {{SKU|ART-2024-00731}}."
    )
    assert record.text == "Hallo, Anna Schmidt hier, Artikel ART-2024-00731."
    assert record.entities == (LabelledSpan("PERSON", 7, 19, "Anna Schmidt"),)
    assert record.decoys == (LabelledSpan("SKU", 34, 48, "ART-2024-00731"),)


@pytest.mark.parametrize(
    ("marked", "message"),
    [
        ("Hello [[PERSON|Anna Schmidt] there", "stray"),
        ("Order {{ORDER_NUMBER|#100234567 is late", "stray"),
        ("Call [[NAME|Anna]] now", "unknown entity type"),
        ("See {{COLOUR|black}} here", "unknown decoy kind"),
        ("A bar | alone", "stray"),
        ("Empty [[PERSON|]] value", "empty value"),
    ],
)
def test_parse_rejects_malformed_markup(marked: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse("t-bad", "en", "chat", marked)


def test_parse_rejects_unknown_language_or_kind() -> None:
    with pytest.raises(ValueError, match="language"):
        parse("t-bad", "pt", "chat", "Olá")
    with pytest.raises(ValueError, match="kind"):
        parse("t-bad", "en", "email", "Hello")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not a JSON object"),
        ('["en-chat-01", "en", "chat", "Hello"]', "exactly the fields"),
        ('{"id": "t-1", "language": "en", "kind": "chat"}', "exactly the fields"),
        (
            '{"id": "t-1", "language": "en", "kind": "chat", "marked": "Hi", "note": "x"}',
            "exactly the fields",
        ),
        ('{"id": "t-1", "language": "en", "kind": "chat", "marked": 7}', "must be a string"),
        ('{"id": "t-1", "language": "en", "kind": "chat", "marked": "Call [[NAME|Anna]]"}', "unknown entity"),
    ],
)
def test_read_corpus_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    good = '{"id": "t-0", "language": "en", "kind": "chat", "marked": "Hi [[PERSON|Anna Schmidt]]"}'
    source = tmp_path / "broken.jsonl"
    source.write_text(f"{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^broken\.jsonl:2: .*{message}"):
        read_corpus(source)


def test_read_corpus_takes_language_and_kind_from_their_fields(tmp_path: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(
        json.dumps(
            {
                "id": "t-1",
                "language": "de",
                "kind": "crm_note",
                "marked": "Frau [[PERSON|Anna Schmidt]] rief an",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert read_corpus(source) == [
        LabelledText(
            id="t-1",
            language="de",
            kind="crm_note",
            text="Frau Anna Schmidt rief an",
            entities=(LabelledSpan("PERSON", 5, 17, "Anna Schmidt"),),
            decoys=(),
        )
    ]
