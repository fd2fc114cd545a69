"""Names a caller chose that the service may repeat or keep: a field or model named in an error, a request
id or client label in the audit trail. Only a plain identifier (short, ASCII letters, digits and a few
separators) in which the PII detector finds nothing qualifies; anything else is left out, never cleaned
up: an error falls back to a generic wording, a record to no value."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from inference.privacy.entities import EntitySpan

PLAIN_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:/-]{1,64}")
"""A field path part, a model name, a media type."""
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
"""A caller's X-Request-Id."""
CLIENT_LABEL = re.compile(r"[A-Za-z0-9._:@/-]{1,64}")
"""A caller's X-Client-Label, on a server without identities."""
_SEPARATORS = re.compile(r"[_.:/@-]+")


class Detector(Protocol):
    """What screening needs of the PII detector."""

    def detect(self, text: str, known: Mapping[str, Sequence[str]] | None = None) -> list[EntitySpan]: ...


def plain_identifier(
    value: str, detector: Detector | None, pattern: re.Pattern[str] = PLAIN_IDENTIFIER
) -> str | None:
    """`value` if it matches `pattern` in full and the detector finds no entity in it, else None. Without
    a detector nothing qualifies."""
    if detector is None or not pattern.fullmatch(value):
        return None
    # Also with its separators as spaces: `Anna_Schmidt` and `DE89-3704-...` are written that way to
    # fit a token, and the detector sees words.
    spaced = _SEPARATORS.sub(" ", value)
    try:
        found = any(detector.detect(text) for text in {value, spaced})
    except Exception:
        return None  # a name the detector could not check is not repeated
    return None if found else value
