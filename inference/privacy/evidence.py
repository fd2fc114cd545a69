"""The country a detected entity points to, where its value names one: evidence of where the data comes
from, for a check against a request's origin tag.

What each kind proves: an IBAN names the country of the account's bank, a VAT id the state that issued
it, a phone number in international form the country of its calling code (the region within a shared
code, such as Canada in +1, where the numbering plan tells), a national id the state that issued it.
None proves where the person lives or is; a phone number in national form names no country (the same
digits are valid in several), and neither do names, e-mail addresses, cards or IP addresses.
"""

from __future__ import annotations

import phonenumbers

from inference.privacy import entities as e
from inference.privacy.entities import EntitySpan
from inference.privacy.validators import compact

# The state that issues each national id the detector finds.
NATIONAL_ID_COUNTRIES: dict[str, str] = {
    e.US_SSN: "US",
    e.DE_TAX_ID: "DE",
    e.FR_NIR: "FR",
    e.ES_NIF: "ES",
    e.ES_NIE: "ES",
    e.IT_FISCAL_CODE: "IT",
    e.NL_BSN: "NL",
    e.PL_PESEL: "PL",
}
# VAT prefixes that are not the ISO code of their state: Greece, and Northern Ireland (in the UK).
_VAT_PREFIX_COUNTRIES = {"EL": "GR", "XI": "GB"}
_LOOKALIKE_SPACES = str.maketrans(dict.fromkeys([0xA0, 0x2007, 0x2009, 0x202F], " "))


def entity_country(entity_type: str, value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of the country `value`, an entity of `entity_type`, points to, or None
    where it names none (see the module)."""
    if entity_type in NATIONAL_ID_COUNTRIES:
        return NATIONAL_ID_COUNTRIES[entity_type]
    if entity_type in (e.IBAN_CODE, e.EU_VAT_ID):
        prefix = compact(value)[:2].upper()
        if len(prefix) < 2 or not prefix.isalpha():
            return None
        return _VAT_PREFIX_COUNTRIES.get(prefix, prefix) if entity_type == e.EU_VAT_ID else prefix
    if entity_type == e.PHONE_NUMBER:
        return _phone_country(value)
    return None


def span_country(text: str, span: EntitySpan) -> str | None:
    """`entity_country` for a span the detector found in `text`."""
    return entity_country(span.type, text[span.start : span.end])


def _phone_country(value: str) -> str | None:
    number = value.translate(_LOOKALIKE_SPACES).strip().replace("(0)", "")
    if number.startswith("00"):
        number = "+" + number[2:]
    if not number.startswith("+"):
        return None
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed) or phonenumbers.region_code_for_country_code(
        parsed.country_code or 0
    )
    # "001" stands for the non-geographic codes (+800, +882, ...), "ZZ" for an unknown one.
    return region if region and region.isalpha() and region != "ZZ" else None
