"""Entity types and detected spans. Type names follow Presidio's where Presidio has one."""

from __future__ import annotations

from typing import Literal, NamedTuple

EMAIL_ADDRESS = "EMAIL_ADDRESS"
PHONE_NUMBER = "PHONE_NUMBER"
CREDIT_CARD = "CREDIT_CARD"
IBAN_CODE = "IBAN_CODE"
IP_ADDRESS = "IP_ADDRESS"
US_SSN = "US_SSN"
EU_VAT_ID = "EU_VAT_ID"
SALESFORCE_ID = "SALESFORCE_ID"
PERSON = "PERSON"
DE_TAX_ID = "DE_TAX_ID"
FR_NIR = "FR_NIR"
ES_NIF = "ES_NIF"
ES_NIE = "ES_NIE"
IT_FISCAL_CODE = "IT_FISCAL_CODE"
NL_BSN = "NL_BSN"
PL_PESEL = "PL_PESEL"
LOCATION = "LOCATION"

# Every type the detector finds by itself.
DETECTED_TYPES: tuple[str, ...] = (
    EMAIL_ADDRESS,
    PHONE_NUMBER,
    CREDIT_CARD,
    IBAN_CODE,
    IP_ADDRESS,
    US_SSN,
    EU_VAT_ID,
    SALESFORCE_ID,
    PERSON,
    DE_TAX_ID,
    FR_NIR,
    ES_NIF,
    ES_NIE,
    IT_FISCAL_CODE,
    NL_BSN,
    PL_PESEL,
)

# Every type the service knows: the detector's, and addresses, which it does not find by itself but a
# caller may know (from a CRM record) and name in `pii_context`. A region's policy may add its own.
KNOWN_TYPES: tuple[str, ...] = (*DETECTED_TYPES, LOCATION)

Source = Literal["pattern", "context", "caller", "names", "ner"]


class EntitySpan(NamedTuple):
    """A detected entity: its type and character offsets (end exclusive) in the text it was found in.
    A tuple, so that sorting the many spans of a text costs little."""

    start: int
    end: int
    type: str
    source: Source = "pattern"

    def overlaps(self, other: EntitySpan) -> bool:
        return self.start < other.end and other.start < self.end
