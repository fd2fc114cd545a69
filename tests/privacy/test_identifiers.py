"""Which names a caller chose may be repeated or kept: plain identifiers in which the real detector finds
nothing, also once their separators are read as spaces; nothing without a detector, or when it fails."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from inference.privacy.detector import PiiDetector
from inference.privacy.entities import EntitySpan
from inference.privacy.identifiers import CLIENT_LABEL, REQUEST_ID, plain_identifier


@pytest.mark.parametrize(
    "value",
    ["temperature", "pii_context", "eu-tiny", "gpt-4o-mini", "text/plain", "crm_case", "storefront-de"],
)
def test_plain_clean_names_qualify(detector: PiiDetector, value: str) -> None:
    assert plain_identifier(value, detector) == value


@pytest.mark.parametrize(
    "value",
    [
        "DE89370400440532013000",  # an IBAN shaped like an id
        "DE89-3704-0044-0532-0130-00",  # found once the dashes are spaces
        "Anna_Schmidt",  # a name, found once the underscore is a space
        "4111111111111111",
        "001D000000IRt53IAD",
        "anna.schmidt@example.de",  # not a plain identifier
        "two words",
        "line\nbreak",
        "",
        "x" * 65,
    ],
)
def test_anything_else_does_not(detector: PiiDetector, value: str) -> None:
    assert plain_identifier(value, detector) is None


def test_each_use_has_its_own_syntax(detector: PiiDetector) -> None:
    assert plain_identifier("crm-case-00012:attempt-2", detector, REQUEST_ID) == "crm-case-00012:attempt-2"
    assert plain_identifier("a/b", detector, REQUEST_ID) is None
    assert plain_identifier("x" * 128, detector, REQUEST_ID) == "x" * 128
    assert plain_identifier("team@storefront", detector, CLIENT_LABEL) == "team@storefront"
    assert plain_identifier("anna.schmidt@example.de", detector, CLIENT_LABEL) is None


class BrokenDetector:
    def detect(self, text: str, known: Mapping[str, Sequence[str]] | None = None) -> list[EntitySpan]:
        raise RuntimeError("detector failed")


def test_without_a_working_detector_nothing_qualifies() -> None:
    assert plain_identifier("temperature", None) is None
    assert plain_identifier("temperature", BrokenDetector()) is None
