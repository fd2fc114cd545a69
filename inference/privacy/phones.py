"""Phone numbers, checked against phonenumbers' own numbering plans, read once per calling code.

A number in international form (+ or 00) counts when it is valid in the plan of its country; one written
with "+" also when phonenumbers deems it possible (the right length): numbering plans change, and a
leaked number costs more than a masked fake. A number in national form counts when it is valid in one of
the countries whose languages the detector covers (a leading 0: DE, FR, GB, IT, NL, whose plans also
take the national numbers of AT, CH, BE and IE; separated groups without it: US, ES, IT mobiles).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from inference.privacy.validators import digits_of, prefix_ends

_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}")
# The most common first: a valid number is decided at its first fitting type.
_NUMBER_TYPES = (
    "mobile",
    "fixed_line",
    "toll_free",
    "voip",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


def _fits(lengths: frozenset[int] | set[int], pattern: str) -> str:
    """An expression that matches a whole number of one of `lengths` (any, if empty) that `pattern` matches
    as a whole."""
    if not lengths:
        return f"(?:{pattern})"
    sizes = "|".join(f".{{{size}}}" for size in sorted(lengths))
    return f"(?=(?s:{sizes})\\Z)(?:{pattern})"


@dataclass(frozen=True)
class _RegionPlan:
    """One region's numbering plan as one expression, and its trunk prefix."""

    expression: str
    check: re.Pattern[str]
    lengths: frozenset[int]
    trunk: str

    def valid(self, national: str) -> bool:
        """What `phonenumbers.is_valid_number` decides for a national significant number: it fits the
        general description and one of the number types (each in its lengths)."""
        return self.check.fullmatch(national) is not None


def _region_plan(region: str) -> _RegionPlan | None:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None:
        return None
    general = metadata.general_desc
    lengths = frozenset(general.possible_length or ())
    types = [
        _fits(set(desc.possible_length or ()), desc.national_number_pattern or "(?!)")
        for kind in _NUMBER_TYPES
        if (desc := getattr(metadata, kind))
    ]
    # The general description as a look-ahead, then the first number type that fits the whole number.
    expression = (
        f"(?={_fits(lengths, general.national_number_pattern or '(?!)')}\\Z)(?:{'|'.join(types) or '(?!)'})"
    )
    trunk = (
        metadata.national_prefix if metadata.national_prefix and metadata.national_prefix.isdigit() else ""
    )
    return _RegionPlan(expression, re.compile(expression), lengths, trunk)


def _union(plans: Sequence[_RegionPlan]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{plan.expression})" for plan in plans) or "(?!)")


@dataclass(frozen=True)
class _CallingCode:
    """The plans of every region that shares a calling code (+1: the US, Canada, the Caribbean, ...) and
    one expression for all of them, and the union of their lengths for a quick refusal (None where
    some plan lists no lengths)."""

    plans: tuple[_RegionPlan, ...]
    check: re.Pattern[str]
    lengths: frozenset[int] | None

    def valid(self, national: str) -> bool:
        if self.lengths is not None and len(national) not in self.lengths:
            return False
        return self.check.fullmatch(national) is not None

    def valid_after_code(self, national: str) -> bool:
        """Valid as written after the country code, or, like phonenumbers, with a trunk prefix written
        after it (+44 020 ..., +1 1 ...)."""
        if self.valid(national):
            return True
        return any(
            plan.trunk and national.startswith(plan.trunk) and plan.valid(national[len(plan.trunk) :])
            for plan in self.plans
        )


@lru_cache(maxsize=300)
def _calling_code(code: int) -> _CallingCode:
    plans = tuple(
        plan
        for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ())
        if (plan := _region_plan(region)) is not None
    )
    lengths = (
        None if any(not plan.lengths for plan in plans) else frozenset().union(*(p.lengths for p in plans))
    )
    return _CallingCode(plans, _union(plans), lengths)


def valid_international(digits: str) -> bool:
    """Whether "+" and `digits` is a valid number: a known calling code, then a number valid in the
    plan of one of its regions."""
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return _calling_code(code).valid_after_code(digits[size:])
    return False


# Countries whose national format is tried, with the trunk prefix dropped before the plan is checked.
NATIONAL_TRUNKS = {"DE": "0", "FR": "0", "GB": "0", "NL": "0", "IT": "", "US": "1", "ES": ""}
_NATIONAL_REGIONS = {"0": ("DE", "FR", "GB", "IT", "NL"), "other": ("US", "ES", "IT")}


_NATIONAL_CODES = {region: phonenumbers.country_code_for_region(region) for region in NATIONAL_TRUNKS}


def valid_national_format(region: str, digits: str) -> bool:
    """Whether `digits`, as dialled within `region`, is a valid number there or in a region sharing its
    calling code (a number dialled in the UK may belong to Jersey)."""
    trunk = NATIONAL_TRUNKS[region]
    national = digits[len(trunk) :] if trunk and digits.startswith(trunk) else digits
    return _calling_code(_NATIONAL_CODES[region]).valid(national)


@lru_cache(maxsize=1)
def _national_plans() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    """`valid_national_format`'s plans for each kind of first digit, one expression for all the regions
    that drop the same trunk prefix, built once."""
    plans: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {}
    for lead, regions in _NATIONAL_REGIONS.items():
        by_trunk: dict[str, list[_RegionPlan]] = {}
        for region in regions:
            by_trunk.setdefault(NATIONAL_TRUNKS[region], []).extend(
                _calling_code(_NATIONAL_CODES[region]).plans
            )
        plans[lead] = tuple((trunk, _union(trunk_plans)) for trunk, trunk_plans in by_trunk.items())
    return plans


def possible_international(value: str) -> bool:
    """Whether phonenumbers deems `value` (written with "+") a possible number: right length for its
    calling code, whatever the plan says of its ranges."""
    try:
        return bool(phonenumbers.is_possible_number(phonenumbers.parse(value, None)))
    except phonenumbers.NumberParseException:
        return False


def phone_number(candidate: str) -> int | None:
    """The length of the longest prefix of `candidate` that is a phone number (see the module), or None."""
    for end in prefix_ends(candidate):
        trimmed = candidate[:end].rstrip(" -./(")
        if _DATE.fullmatch(trimmed):
            return None
        digits = digits_of(trimmed)
        if not 7 <= len(digits) <= 15:
            continue
        if trimmed.startswith(("+", "00")):
            # "+49 (0)30 ...": the trunk prefix in brackets is not dialled from abroad.
            if "(0)" in trimmed:
                digits = digits_of(trimmed.replace("(0)", ""))
            valid = valid_international(digits[2:] if trimmed.startswith("00") else digits)
        else:
            valid = any(
                plan.fullmatch(digits[len(trunk) :] if trunk and digits.startswith(trunk) else digits)
                for trunk, plan in _national_plans()["0" if trimmed.lstrip("(")[:1] == "0" else "other"]
            )
        if valid:
            return len(trimmed)
    if candidate.startswith("+"):
        for end in prefix_ends(candidate):
            trimmed = candidate[:end].rstrip(" -./(")
            if 7 <= len(digits_of(trimmed)) <= 15 and possible_international(trimmed.replace("(0)", "")):
                return len(trimmed)
    return None


def preload() -> None:
    """Load every region's numbering plan now (45 ms): phonenumbers loads them on first use, which
    would add milliseconds to the first request that mentions a country's number."""
    for region in phonenumbers.SUPPORTED_REGIONS:
        phonenumbers.PhoneMetadata.metadata_for_region(region)
    _national_plans()
