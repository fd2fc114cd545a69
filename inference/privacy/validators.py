"""Validators for candidate matches: checksums and number plans, so that look-alikes stay untouched.

Each validator takes the candidate text and returns the length of its longest valid prefix that ends
at a group boundary (a greedy candidate may have swallowed a following group, such as a year after a
card number), or None.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from importlib import resources

from stdnum import get_cc_module
from stdnum.eu import vat
from stdnum.exceptions import ValidationError

from inference.privacy import national_ids

Validator = Callable[[str], "int | None"]

_SEPARATORS = frozenset(" -./")


def prefix_ends(candidate: str) -> Iterator[int]:
    """Ends of the candidate and of its prefixes that stop before a separator, longest first."""
    yield len(candidate)
    for index in range(len(candidate) - 1, 0, -1):
        if candidate[index] in _SEPARATORS and candidate[index - 1] not in _SEPARATORS:
            yield index


_NOT_DIGIT = re.compile(r"\D+")
_NOT_ALNUM = re.compile(r"[\W_]+")


def digits_of(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


def compact(text: str) -> str:
    return _NOT_ALNUM.sub("", text)


# Each digit doubled, with the digits of the product added up (Luhn).
_DOUBLED = str.maketrans("0123456789", "0246813579")


def luhn_ok(digits: str) -> bool:
    if not digits.isascii():
        return _luhn_by_digit(digits)
    # The digits in odd places from the right as they are, the others doubled: each half summed as bytes.
    kept, doubled = digits[::-2].encode(), digits[-2::-2].translate(_DOUBLED).encode()
    return (sum(kept) + sum(doubled) - 48 * len(digits)) % 10 == 0


def _luhn_by_digit(digits: str) -> bool:
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = ord(ch) - 48
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def credit_card(candidate: str) -> int | None:
    """14 to 19 digits, an issuer's first digit (2-6), Luhn. 13-digit numbers are left alone: the only
    cards of that length were withdrawn long ago, and every EAN-13 barcode has 13 digits."""
    for end in prefix_ends(candidate):
        digits = digits_of(candidate[:end])
        if 14 <= len(digits) <= 19 and digits[0] in "23456" and luhn_ok(digits):
            return end
    return None


def compact_prefix(check: Callable[[str], bool], shape: str = "") -> Validator:
    """A validator: the longest prefix whose letters and digits, upper-cased, have `shape` (a cheap
    test first: most candidates fail it) and pass `check`."""
    fits = re.compile(shape).fullmatch if shape else None

    def validate(candidate: str) -> int | None:
        for end in prefix_ends(candidate):
            value = compact(candidate[:end]).upper()
            if fits is not None and fits(value) is None:
                continue
            try:
                if check(value):
                    return end
            except ValidationError:
                continue
        return None

    return validate


def short_visa(candidate: str) -> int | None:
    """A 13-digit Visa number (only with a card word nearby, see the pattern)."""
    return 13 if len(candidate) == 13 and luhn_ok(candidate) else None


def _iban_structures() -> dict[str, re.Pattern[str]]:
    """BBAN structure per country, from python-stdnum's copy of the SWIFT IBAN registry (read once:
    stdnum's own `iban.is_valid` re-reads it on every call, 50 us)."""
    structures: dict[str, re.Pattern[str]] = {}
    text = resources.files("stdnum").joinpath("iban.dat").read_text(encoding="utf-8")
    kinds = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
    for line in text.splitlines():
        match = re.match(r'([A-Z]{2}) .*bban="([^"]+)"', line)
        if match:
            body = "".join(f"{kinds[k]}{{{n}}}" for n, k in re.findall(r"(\d+)!([nac])", match.group(2)))
            structures[match.group(1)] = re.compile(body)
    return structures


_IBAN_STRUCTURES = _iban_structures()
# ISO 7064 reads A as 10, B as 11, ... Z as 35.
_LETTER_DIGITS = str.maketrans({chr(ord("A") + i): str(10 + i) for i in range(26)})


def iban_ok(value: str) -> bool:
    """Country known, BBAN in that country's structure, ISO 7064 mod 97-10 checksum."""
    structure = _IBAN_STRUCTURES.get(value[:2])
    if structure is None or not value[2:4].isdigit() or structure.fullmatch(value[4:]) is None:
        return False
    return int((value[4:] + value[:4]).translate(_LETTER_DIGITS)) % 97 == 1


iban = compact_prefix(iban_ok)


# The member states' VAT modules, looked up once (stdnum.eu.vat finds the module on every call).
_VAT_MODULES = {cc.upper(): get_cc_module(cc, "vat") for cc in vat.MEMBER_STATES}
_VAT_MODULES["EL"] = _VAT_MODULES.get("GR")  # Greece's VAT prefix
_VAT_MODULES["XI"] = get_cc_module("gb", "vat")  # Northern Ireland


# The shape of each member state's number after its prefix, as python-stdnum checks it: tried before
# stdnum's own validation, which costs ten times more.
_VAT_SHAPES = {
    country: re.compile(shape)
    for country, shape in {
        "AT": r"U\d{8}", "BE": r"[01]?\d{9}", "BG": r"\d{9,10}", "CY": r"\d{8}[A-Z]", "CZ": r"\d{8,10}",
        "DE": r"\d{9}", "DK": r"\d{8}", "EE": r"\d{9}", "EL": r"\d{9}", "ES": r"[0-9A-Z]\d{7}[0-9A-Z]",
        "FI": r"\d{8}", "FR": r"[0-9A-HJ-NP-Z]{2}\d{9}", "HR": r"\d{11}", "HU": r"\d{8}",
        "IE": r"\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W]", "IT": r"\d{11}", "LT": r"\d{9}|\d{12}",
        "LU": r"\d{8}", "LV": r"\d{11}", "MT": r"\d{8}", "NL": r"\d{9}B\d{2}", "PL": r"\d{10}",
        "PT": r"\d{9}", "RO": r"\d{2,10}", "SE": r"\d{12}", "SI": r"\d{8}", "SK": r"\d{10}",
        "XI": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
    }.items()
}  # fmt: skip


def _vat_ok(value: str) -> bool:
    module = _VAT_MODULES.get(value[:2])
    shape = _VAT_SHAPES.get(value[:2])
    if len(value) < 8 or module is None or (shape is not None and shape.fullmatch(value[2:]) is None):
        return False
    return bool(module.is_valid(value[2:]))


eu_vat = compact_prefix(_vat_ok)


_OBFUSCATED_TLD = re.compile(r"(?:\.|[ \t)\]}>])[A-Za-z]{2,24}$")


def obfuscated_email(candidate: str) -> int | None:
    """An address written with (at) and (dot): it ends in a top-level domain of letters."""
    return len(candidate) if _OBFUSCATED_TLD.search(candidate) else None


_IPV4 = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")


def ip_address(candidate: str) -> int | None:
    value = candidate.rstrip(".:")
    if _IPV4.fullmatch(value):
        # What `ipaddress` checks of four groups of ASCII digits: none over 255, no leading zero.
        fits = all(int(octet) <= 255 and (octet == "0" or octet[0] != "0") for octet in value.split("."))
        return len(value) if fits else None
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return None
    return len(value)


def us_ssn(candidate: str) -> int | None:
    digits = digits_of(candidate)
    if len(digits) != 9:
        return None
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return None
    if digits in ("123456789", "078051120"):  # the number on a 1938 wallet insert, and a sequence
        return None
    return len(candidate)


_SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_suffix(record_id: str) -> str:
    """The 3-character case-safe suffix of a 15-character Salesforce id."""
    out = []
    for chunk in range(3):
        bits = 0
        for position, ch in enumerate(record_id[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << position
        out.append(_SF_SUFFIX[bits])
    return "".join(out)


# Key prefixes of Salesforce's standard objects (Account, Contact, User, Opportunity, Lead, Case, Task,
# Event, Campaign, Contract, Order, Quote, Asset, Product, Document, ContentVersion, EmailMessage, ...).
SALESFORCE_KEY_PREFIXES = frozenset(
    (
        "001 002 003 005 006 007 008 00D 00E 00G 00I 00J 00K 00N 00O 00P 00Q 00T 00U 00X 00a 00b 00e 00h "
        "00k 00l 00o 00v 010 011 012 015 01Z 01s 01t 01u 02c 02i 02s 033 03d 04t 068 069 0D5 0Q0 0QL 500 "
        "501 570 701 707 800 801 802"
    ).split()
)


def salesforce_record_id(record_id: str) -> bool:
    """Whether 15 characters have the structure of a record id: a standard key prefix (or a custom
    object's, a digit after "a"), a two-character instance, a reserved "0", and a nine-character record
    number that starts with a "0" (no instance has 62^8 records of one object)."""
    prefix = record_id[:3]
    if prefix not in SALESFORCE_KEY_PREFIXES and not (prefix[0] == "a" and prefix[1].isdigit()):
        return False
    return record_id[5] == "0" and record_id[6] == "0" and record_id.isalnum() and record_id.isascii()


def salesforce_id(candidate: str) -> int | None:
    """18 characters with a correct case-safe suffix, or 15 with a record id's structure and a letter
    after the key prefix (all digits: order numbers look like that; the pattern for those asks for a
    Salesforce word nearby)."""
    if len(candidate) == 18:
        return 18 if salesforce_suffix(candidate[:15]) == candidate[15:] else None
    if len(candidate) == 15 and salesforce_record_id(candidate) and not candidate[3:].isdigit():
        return 15
    return None


def salesforce_digits_id(candidate: str) -> int | None:
    """15 digits with a record id's structure (only with a Salesforce word nearby, see the pattern)."""
    return 15 if len(candidate) == 15 and salesforce_record_id(candidate) else None


de_tax_id = compact_prefix(national_ids.de_idnr, r"[1-9]\d{10}")
fr_nir = compact_prefix(national_ids.fr_nir, r"[12]\d{4}[0-9AB]\d{9}")
es_nif = compact_prefix(national_ids.es_dni, r"\d{8}[A-Z]")
es_nie = compact_prefix(national_ids.es_nie, r"[XYZ]\d{7}[A-Z]")
it_fiscal_code = compact_prefix(national_ids.it_fiscal_code, r"[A-Z0-9]{16}")
nl_bsn = compact_prefix(national_ids.nl_bsn, r"\d{8,9}")
pl_pesel = compact_prefix(national_ids.pl_pesel, r"\d{11}")
