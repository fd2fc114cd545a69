"""Validators for candidate matches: checksums and number plans, so that look-alikes stay untouched.

Each validator takes the candidate text and returns the length of its longest valid prefix that ends
at a group boundary (a greedy candidate may have swallowed a following group, such as a year after a
card number), or None.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

import phonenumbers
from stdnum import get_cc_module
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.eu import vat
from stdnum.exceptions import ValidationError
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.pl import pesel

Validator = Callable[[str], "int | None"]

_SEPARATORS = frozenset(" -./")
_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}")


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


def luhn_ok(digits: str) -> bool:
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


def compact_prefix(check: Callable[[str], bool]) -> Validator:
    """A validator: the longest prefix whose letters and digits, upper-cased, pass `check`."""

    def validate(candidate: str) -> int | None:
        for end in prefix_ends(candidate):
            try:
                if check(compact(candidate[:end]).upper()):
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


def iban_ok(value: str) -> bool:
    """Country known, BBAN in that country's structure, ISO 7064 mod 97-10 checksum."""
    structure = _IBAN_STRUCTURES.get(value[:2])
    if structure is None or not value[2:4].isdigit() or structure.fullmatch(value[4:]) is None:
        return False
    rearranged = value[4:] + value[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


iban = compact_prefix(iban_ok)


# The member states' VAT modules, looked up once (stdnum.eu.vat finds the module on every call).
_VAT_MODULES = {cc.upper(): get_cc_module(cc, "vat") for cc in vat.MEMBER_STATES}
_VAT_MODULES["EL"] = _VAT_MODULES.get("GR")  # Greece's VAT prefix
_VAT_MODULES["XI"] = get_cc_module("gb", "vat")  # Northern Ireland


def _vat_ok(value: str) -> bool:
    module = _VAT_MODULES.get(value[:2])
    return len(value) >= 8 and module is not None and bool(module.is_valid(value[2:]))


eu_vat = compact_prefix(_vat_ok)


def ip_address(candidate: str) -> int | None:
    value = candidate.rstrip(".:")
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


def salesforce_id(candidate: str) -> int | None:
    """18 characters with a correct case-safe suffix, or 15 with a standard key prefix and the
    digit runs real record ids have."""
    if len(candidate) == 18:
        return 18 if salesforce_suffix(candidate[:15]) == candidate[15:] else None
    if len(candidate) == 15 and sum(ch.isdigit() for ch in candidate) >= 4 and "0000" in candidate:
        return 15
    return None


de_tax_id = compact_prefix(idnr.is_valid)
fr_nir = compact_prefix(nir.is_valid)
es_nif = compact_prefix(dni.is_valid)
es_nie = compact_prefix(nie.is_valid)
it_fiscal_code = compact_prefix(codicefiscale.is_valid)
nl_bsn = compact_prefix(bsn.is_valid)
pl_pesel = compact_prefix(pesel.is_valid)

# Regions tried for numbers written in national format, by their first digit.
_NATIONAL_REGIONS = {"0": ("DE", "FR", "GB", "IT", "NL"), "other": ("US", "ES", "IT")}


def preload() -> None:
    """Load every region's numbering plan now (45 ms): phonenumbers loads them on first use, which
    would add milliseconds to the first request that mentions a country's number."""
    for region in phonenumbers.SUPPORTED_REGIONS:
        phonenumbers.PhoneMetadata.metadata_for_region(region)


# National (trunk) prefixes dropped before the numbering-plan check, per region.
_TRUNK = {"DE": "0", "FR": "0", "GB": "0", "NL": "0", "US": "1", "ES": "", "IT": ""}
_Desc = tuple[frozenset[int], re.Pattern[str]]


@lru_cache(maxsize=512)
def _numbering_plan(region: str) -> tuple[_Desc, tuple[_Desc, ...]] | None:
    """A region's general number description and those of its number types, from phonenumbers'
    metadata, compiled once."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None:
        return None

    def compiled(desc: Any) -> _Desc:
        return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern or "(?!)")

    kinds = (
        "premium_rate",
        "toll_free",
        "shared_cost",
        "voip",
        "personal_number",
        "pager",
        "uan",
        "voicemail",
        "fixed_line",
        "mobile",
    )
    types = tuple(compiled(getattr(metadata, kind)) for kind in kinds if getattr(metadata, kind) is not None)
    return compiled(metadata.general_desc), types


def valid_national_number(region: str, national: str) -> bool:
    """What `phonenumbers.is_valid_number` decides for a national significant number: it fits the
    region's general description and one of its number types. Ten times faster than parsing first."""
    plan = _numbering_plan(region)
    if plan is None:
        return False
    (lengths, general), types = plan
    if (lengths and len(national) not in lengths) or general.fullmatch(national) is None:
        return False
    return any(
        (not t_lengths or len(national) in t_lengths) and t.fullmatch(national) for t_lengths, t in types
    )


def _valid_national_format(region: str, digits: str) -> bool:
    trunk = _TRUNK[region]
    national = digits[len(trunk) :] if trunk and digits.startswith(trunk) else digits
    # A number dialled in the UK may belong to Jersey or Guernsey: every region of the calling code counts.
    siblings = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[phonenumbers.country_code_for_region(region)]
    return any(valid_national_number(sibling, national) for sibling in siblings)


def _valid_international(digits: str) -> bool:
    for size in (1, 2, 3):
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:size]))
        if regions:
            national = digits[size:]
            return any(_valid_after_country_code(region, national) for region in regions)
    return False


def _valid_after_country_code(region: str, national: str) -> bool:
    if valid_national_number(region, national):
        return True
    # Like phonenumbers, forgive a trunk prefix written after the country code (+1 1..., +49 030...).
    trunk = _trunk_prefix(region)
    return (
        bool(trunk) and national.startswith(trunk) and valid_national_number(region, national[len(trunk) :])
    )


@lru_cache(maxsize=512)
def _trunk_prefix(region: str) -> str:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = metadata.national_prefix if metadata is not None else None
    return prefix if prefix and prefix.isdigit() else ""


def phone_number(candidate: str) -> int | None:
    """A number valid in the numbering plan of its country: international (+ or 00) or national format
    of DE, FR, GB, IT, NL (leading 0), US, ES, IT mobiles (separated groups)."""
    for end in prefix_ends(candidate):
        trimmed = value = candidate[:end].rstrip(" -./(")
        if _DATE.fullmatch(value):
            return None
        if not 7 <= len(digits_of(value)) <= 15:
            continue
        if value.startswith("00"):
            value = "+" + value[2:]
        if value.startswith("+"):
            # "+49 (0)30 ...": the trunk prefix in brackets is not dialled from abroad.
            valid = _valid_international(digits_of(value.replace("(0)", "")))
        else:
            first = value.lstrip("(")[:1]
            digits = digits_of(value)
            regions = _NATIONAL_REGIONS["0" if first == "0" else "other"]
            valid = any(_valid_national_format(region, digits) for region in regions)
        if valid:
            return len(trimmed)
    return None
