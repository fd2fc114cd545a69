"""The checks python-stdnum makes of national ids, for values the validators have already compacted and
upper-cased: the same answers as stdnum's `is_valid` (a test holds them to it), at a fraction of the
cost, since stdnum cleans its input character by character, twice for some ids, on every call.

A value of the usual length in ASCII takes the fast path here; any other goes to stdnum itself.
"""

from __future__ import annotations

import datetime
import re

from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.pl import pesel

_PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
_PESEL_CENTURIES = (1900, 2000, 2100, 2200, 1800)
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def pl_pesel(value: str) -> bool:
    """PESEL: 11 digits, weighted check digit, a birth date whose month also encodes the century."""
    if len(value) != 11 or not value.isascii():
        return bool(pesel.is_valid(value))
    if not value.isdigit():
        return False
    check = sum(weight * (ord(char) - 48) for weight, char in zip(_PESEL_WEIGHTS, value, strict=False))
    if (10 - check) % 10 != ord(value[10]) - 48:
        return False
    month = int(value[2:4])
    return _is_date(int(value[:2]) + _PESEL_CENTURIES[month // 20], month % 20, int(value[4:6]))


def de_idnr(value: str) -> bool:
    """Steuer-ID: 11 digits, no leading zero, exactly one digit repeated (twice or three times) among
    the first ten, ISO 7064 mod 11,10."""
    if len(value) != 11 or not value.isascii():
        return bool(idnr.is_valid(value))
    if not value.isdigit() or value[0] == "0":
        return False
    # One digit twice and the others once leaves 9 distinct digits; one three times, 8 (as would two
    # digits twice each, which is no Steuer-ID).
    first = value[:10]
    distinct = set(first)
    if len(distinct) != 9 and not (len(distinct) == 8 and any(first.count(digit) == 3 for digit in distinct)):
        return False
    check = 5
    for char in value:
        check = (((check or 10) * 2) % 11 + ord(char) - 48) % 10
    return check == 1


def nl_bsn(value: str) -> bool:
    """BSN: up to 9 digits (padded with zeros), not all zero, the eleven test."""
    if len(value) not in (8, 9) or not value.isascii():
        return bool(bsn.is_valid(value))
    value = value.zfill(9)
    if not value.isdigit() or value == "000000000":
        return False
    total = sum((9 - index) * (ord(char) - 48) for index, char in enumerate(value[:8]))
    return (total - (ord(value[8]) - 48)) % 11 == 0


def es_dni(value: str) -> bool:
    """DNI/NIF: 8 digits and the letter of their remainder by 23."""
    if len(value) != 9 or not value.isascii():
        return bool(dni.is_valid(value))
    return value[:8].isdigit() and _DNI_LETTERS[int(value[:8]) % 23] == value[8]


def es_nie(value: str) -> bool:
    """NIE: X, Y or Z (read as 0, 1, 2), 7 digits and the DNI letter of the whole."""
    if len(value) != 9 or not value.isascii():
        return bool(nie.is_valid(value))
    if value[0] not in "XYZ" or not value[1:8].isdigit():
        return False
    return _DNI_LETTERS[int(str("XYZ".index(value[0])) + value[1:8]) % 23] == value[8]


def fr_nir(value: str) -> bool:
    """NIR: 15 characters, digits but for the Corsican departments 2A and 2B, mod 97 check digits."""
    if len(value) != 15 or not value.isascii():
        return bool(nir.is_valid(value))
    department = value[5:7]
    if not value[:5].isdigit() or not value[7:].isdigit():
        return False
    if department == "2A":
        department = "19"
    elif department == "2B":
        department = "18"
    elif not department.isdigit():
        return False
    return 97 - int(value[:5] + department + value[7:13]) % 97 == int(value[13:])


_FISCAL_CODE = re.compile(
    r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]"
)
_FISCAL_DATE_DIGITS = {char: value % 10 for value, char in enumerate("0123456789LMNPQRSTUV")}
_FISCAL_MONTHS = {char: month for month, char in enumerate("ABCDEHLMPRST", start=1)}
_FISCAL_EVEN = {char: value for value, char in enumerate("0123456789")} | {
    char: value for value, char in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
}
_FISCAL_ODD_VALUES = (
    1,
    0,
    5,
    7,
    9,
    13,
    15,
    17,
    19,
    21,
    2,
    4,
    18,
    20,
    11,
    3,
    6,
    8,
    12,
    14,
    16,
    10,
    22,
    25,
    24,
    23,
)
_FISCAL_ODD = {char: _FISCAL_ODD_VALUES[value] for value, char in enumerate("0123456789")} | {
    char: _FISCAL_ODD_VALUES[value] for value, char in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
}


def it_fiscal_code(value: str) -> bool:
    """Codice fiscale: its structure (digits of the date may be replaced by letters), the check letter,
    a birth date (years read from 1920 on)."""
    if len(value) != 16 or not value.isascii():
        return bool(codicefiscale.is_valid(value))
    if _FISCAL_CODE.fullmatch(value) is None:
        return False
    code = sum(
        _FISCAL_ODD[char] if index % 2 == 0 else _FISCAL_EVEN[char] for index, char in enumerate(value[:15])
    )
    if "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[code % 26] != value[15]:
        return False
    digits = _FISCAL_DATE_DIGITS
    year = digits[value[6]] * 10 + digits[value[7]] + 1900
    if year < 1920:
        year += 100
    day = (digits[value[9]] * 10 + digits[value[10]]) % 40
    return _is_date(year, _FISCAL_MONTHS[value[8]], day)
