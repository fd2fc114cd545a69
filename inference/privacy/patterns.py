"""Candidate patterns: one fast pass over the text finds everything that might be PII; validators then
keep only what passes its checksum or numbering plan (and, for weak formats, has a context cue).

The expressions use the syntax Hyperscan and Python's `re` share (no look-around, no back-references),
so that both scanners find the same candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

from inference.privacy import entities as e
from inference.privacy import validators as v
from inference.privacy.phones import phone_number


@dataclass(frozen=True)
class CandidatePattern:
    """A candidate expression for one entity type, its validator and, for weak formats, the words one
    of which must appear shortly before the match. `left`, if set, is the part of the entity that
    stands before the match (an address's local part before its "@"): the scan starts matches where
    they are rare, which is far cheaper than tracking where a run of letters began."""

    type: str
    expression: str
    validate: v.Validator
    priority: int
    context: tuple[str, ...] = ()
    caseless: bool = False
    left: str = ""


_VAT_COUNTRIES = "ATU|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI"
_FISCAL_DIGIT = "[0-9LMNPQRSTUV]"
# Internationalized addresses carry accented letters (jürgen@müller.de), listed one by one: a scan in
# a single-byte encoding keeps those it has.
_ACCENTED = "".join(chr(code) for code in range(0xC0, 0x250) if chr(code).isalpha())
_EMAIL_LOCAL = rf"[A-Za-z0-9._%+'\-{_ACCENTED}]+"
_EMAIL_LABEL = rf"[A-Za-z0-9\-{_ACCENTED}]+"
_AT_BRACKETED = r"[(\[{<][ \t]*(?:at|AT|At|@)[ \t]*[)\]}>][ \t]*"
_DOT_WORD = (
    r"(?:[ \t]*[(\[{<][ \t]*(?:dot|DOT|Dot|punkt|point|punto|punt)[ \t]*[)\]}>][ \t]*"
    r"|[ \t]+(?:dot|DOT)[ \t]+)"
)
_DOT_ANY = rf"(?:{_DOT_WORD}|\.)"
_SALESFORCE_WORDS = ("salesforce", "sfdc", "record", "account", "contact", "lead", "opportunit", "case")

PATTERNS: tuple[CandidatePattern, ...] = (
    CandidatePattern(
        e.EMAIL_ADDRESS,
        rf" ?@ ?{_EMAIL_LABEL}(?:\.{_EMAIL_LABEL})*\.[A-Za-z]{{2,24}}\b",
        lambda candidate: len(candidate),
        priority=80,
        left=_EMAIL_LOCAL,
    ),
    # Written so that harvesters miss it: anna (at) example (dot) de, anna[at]example.de, anna at
    # example dot de (a bare "at" only with a bare or bracketed "dot", so "I'm at home.com" stays).
    CandidatePattern(
        e.EMAIL_ADDRESS,
        rf"{_AT_BRACKETED}{_EMAIL_LABEL}(?:{_DOT_ANY}{_EMAIL_LABEL})*\b",
        v.obfuscated_email,
        priority=80,
        left=rf"{_EMAIL_LOCAL}[ \t]*",
    ),
    CandidatePattern(
        e.EMAIL_ADDRESS,
        rf"[ \t](?:at|AT)[ \t]+{_EMAIL_LABEL}(?:{_DOT_ANY}{_EMAIL_LABEL})*{_DOT_WORD}{_EMAIL_LABEL}"
        rf"(?:{_DOT_ANY}{_EMAIL_LABEL})*\b",
        v.obfuscated_email,
        priority=80,
        left=_EMAIL_LOCAL,
    ),
    # Any letter case, and grouped with spaces, dashes or dots, or not at all.
    CandidatePattern(e.IBAN_CODE, r"\b[A-Za-z]{2}\d{2}(?:[ .-]?[A-Za-z0-9]){11,30}\b", v.iban, priority=90),
    CandidatePattern(e.CREDIT_CARD, r"\b\d(?:[ .-]?\d){12,18}\b", v.credit_card, priority=85),
    # 13-digit Visa numbers still turn up in tests and old records; an EAN barcode has 13 digits too,
    # so these need a card word nearby.
    CandidatePattern(
        e.CREDIT_CARD,
        r"\b4\d{12}\b",
        v.short_visa,
        priority=85,
        context=("visa", "card", "karte", "carte", "tarjeta", "carta", "kaart", "kreditkarte"),
    ),
    CandidatePattern(
        e.EU_VAT_ID,
        rf"\b(?:{_VAT_COUNTRIES})[ -]?[0-9A-Z](?:[ .-]?[0-9A-Z+*]){{6,13}}\b",
        v.eu_vat,
        priority=75,
    ),
    CandidatePattern(
        e.IT_FISCAL_CODE,
        rf"\b[A-Z]{{6}}{_FISCAL_DIGIT}{{2}}[A-EHLMPR-T]{_FISCAL_DIGIT}{{2}}[A-Z]{_FISCAL_DIGIT}{{3}}[A-Z]\b",
        v.it_fiscal_code,
        priority=70,
    ),
    # In lower case, with the digits where nearly every code has them (a caseless pattern of letters
    # would weigh on every word of the text).
    CandidatePattern(
        e.IT_FISCAL_CODE,
        r"\b[a-z]{6}\d{2}[a-ehlmpr-t]\d{2}[a-z]\d{3}[a-z]\b",
        v.it_fiscal_code,
        priority=70,
    ),
    CandidatePattern(
        e.FR_NIR,
        r"\b[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3} ?\d{2}\b",
        v.fr_nir,
        priority=70,
    ),
    CandidatePattern(
        e.SALESFORCE_ID,
        r"\b(?:0[0-9A-Za-z]{2}|50[01]|570|70[17]|80[0-2]|a[0-9][0-9A-Za-z])[0-9A-Za-z]{12}(?:[A-Z0-5]{3})?\b",
        v.salesforce_id,
        priority=65,
    ),
    # A record id of digits only is also an order number's shape: only with a Salesforce word nearby.
    CandidatePattern(
        e.SALESFORCE_ID,
        r"\b(?:0\d\d|50[01]|570|70[17]|80[0-2])\d{12}\b",
        v.salesforce_digits_id,
        priority=65,
        context=_SALESFORCE_WORDS,
    ),
    CandidatePattern(e.ES_NIE, r"\b[XYZxyz][ .-]?\d{7}[ .-]?[A-Za-z]\b", v.es_nie, priority=60),
    # 12345678Z, 12345678-Z and, as often printed, 12.345.678-Z.
    CandidatePattern(e.ES_NIF, r"\b(?:\d{8}|\d{1,2}\.\d{3}\.\d{3})[ -]?[A-Za-z]\b", v.es_nif, priority=60),
    CandidatePattern(e.IP_ADDRESS, r"\b(?:\d{1,3}\.){3}\d{1,3}\b", v.ip_address, priority=55),
    CandidatePattern(
        e.IP_ADDRESS,
        r"(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{1,4}(?:\.\d{1,3}){0,3}\b",
        v.ip_address,
        priority=55,
    ),
    CandidatePattern(e.US_SSN, r"\b\d{3}-\d{2}-\d{4}\b", v.us_ssn, priority=50),
    CandidatePattern(
        e.US_SSN,
        r"\b\d{3} ?\d{2} ?\d{4}\b",
        v.us_ssn,
        priority=50,
        context=("ssn", "social security", "soc. sec"),
    ),
    CandidatePattern(
        e.DE_TAX_ID,
        r"\b\d{2} ?\d{3} ?\d{3} ?\d{3}\b",
        v.de_tax_id,
        priority=45,
        context=("steuer-id", "steuerid", "steuer-idnr", "idnr", "identifikationsnummer", "tax id", "tin"),
    ),
    CandidatePattern(
        e.NL_BSN,
        r"\b(?:\d{4}[. ]?\d{2}[. ]?\d{3}|\d{3}[. ]?\d{3}[. ]?\d{3})\b",
        v.nl_bsn,
        priority=45,
        context=("bsn", "burgerservicenummer", "sofinummer", "sofi-nummer"),
    ),
    CandidatePattern(e.PL_PESEL, r"\b\d{11}\b", v.pl_pesel, priority=45, context=("pesel",)),
    CandidatePattern(e.PHONE_NUMBER, r"(?:\+|\b00)[1-9][0-9 ()./-]{5,22}[0-9]\b", phone_number, priority=40),
    CandidatePattern(e.PHONE_NUMBER, r"(?:\(0|\b0)[1-9][0-9 ()./-]{4,18}[0-9]\b", phone_number, priority=40),
    CandidatePattern(
        e.PHONE_NUMBER, r"(?:\(\d{3}\) ?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b", phone_number, priority=40
    ),
    CandidatePattern(e.PHONE_NUMBER, r"\b[3-9]\d{1,2}(?:[ .-]\d{2,4}){2,3}\b", phone_number, priority=40),
)
