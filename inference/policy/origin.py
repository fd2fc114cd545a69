"""The data-origin tag: which jurisdictions the data in a request comes from.

The tag is read from the `X-Data-Origin` header only, before any request content is touched.
Parsing rules (documented in docs/contracts.md):
- several header lines are joined with commas (RFC 9110), so a second line cannot hide a code;
- items are separated by commas; spaces and tabs around an item are ignored;
- each item is an ISO 3166-1 alpha-2 code or a jurisdiction code (`EU`, `EEA`), any letter case;
- anything else (empty items, other separators, unknown codes, non-ASCII) makes the whole tag invalid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from inference.errors import InvalidRequest, PolicyViolation
from inference.policy.codes import KNOWN_CODES, describe_unknown

HEADER = "X-Data-Origin"
MAX_TAG_LENGTH = 256
MAX_CODES = 32
_CODE_SHAPE = re.compile(r"[A-Za-z]{2,3}")
_SHOWN_CHARS = 16


class DataOriginMissing(InvalidRequest):
    """No `X-Data-Origin` header, or an empty one (400)."""

    code = "data_origin_missing"


class DataOriginInvalid(InvalidRequest):
    """The `X-Data-Origin` header is not a list of known codes (400)."""

    code = "data_origin_invalid"


class DataOriginMismatch(PolicyViolation):
    """The tag names an origin this region may not process (403)."""

    code = "data_origin_mismatch"


@dataclass(frozen=True)
class OriginTag:
    """A parsed, normalized data-origin tag: upper-case codes, first-seen order, no duplicates."""

    codes: tuple[str, ...]

    def __str__(self) -> str:
        return ",".join(self.codes)


def _shown(item: str) -> str:
    """A short, printable rendering of a header fragment for an error message."""
    clipped = item[:_SHOWN_CHARS] + ("..." if len(item) > _SHOWN_CHARS else "")
    return ascii(clipped)


def parse_origin_tag(values: Iterable[str]) -> OriginTag:
    """Parse the values of every `X-Data-Origin` header line into an `OriginTag`.

    Raises `DataOriginMissing` when there is no non-blank value and `DataOriginInvalid` when any item
    is malformed or unknown.
    """
    lines = list(values)
    if all(not line.strip(" \t") for line in lines):
        raise DataOriginMissing(
            f"The {HEADER} header is required: name the origin of the data in this request as "
            f"comma-separated ISO 3166-1 alpha-2 codes or jurisdiction codes, for example '{HEADER}: DE'.",
            param=HEADER,
        )
    joined = ",".join(lines)
    if len(joined) > MAX_TAG_LENGTH:
        raise DataOriginInvalid(
            f"The {HEADER} header is {len(joined)} characters long; at most {MAX_TAG_LENGTH} are allowed.",
            param=HEADER,
        )
    codes: list[str] = []
    for position, raw in enumerate(joined.split(",")):
        item = raw.strip(" \t")
        if not item:
            raise DataOriginInvalid(
                f"The {HEADER} header has an empty item at position {position + 1}; "
                "separate codes with single commas.",
                param=HEADER,
            )
        if not item.isascii() or _CODE_SHAPE.fullmatch(item) is None:
            raise DataOriginInvalid(
                f"The {HEADER} header item {_shown(item)} is not a country or jurisdiction code; "
                "separate codes with commas, for example 'DE,FR'.",
                param=HEADER,
            )
        code = item.upper()
        if code not in KNOWN_CODES:
            raise DataOriginInvalid(f"The {HEADER} header item {describe_unknown(code)}.", param=HEADER)
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_CODES:
        raise DataOriginInvalid(
            f"The {HEADER} header names {len(codes)} codes; at most {MAX_CODES} are allowed.", param=HEADER
        )
    return OriginTag(tuple(codes))


def check_origin(tag: OriginTag, region_id: str, accepted: frozenset[str]) -> None:
    """Refuse the request unless every code in `tag` is accepted by the region."""
    refused = [code for code in tag.codes if code not in accepted]
    if refused:
        listed = ", ".join(refused)
        raise DataOriginMismatch(
            f"Region {region_id} may not process data of origin {listed}; "
            "send this request to the region that serves that jurisdiction.",
            param=HEADER,
        )
