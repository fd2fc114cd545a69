"""One detector of each scanner for the privacy tests: building one compiles its databases (about a
second), and `detect` keeps no state between calls."""

from __future__ import annotations

import pytest

from inference.privacy.detector import PiiDetector


@pytest.fixture(scope="session")
def detector() -> PiiDetector:
    """The default detector (Hyperscan where it is installed)."""
    return PiiDetector()


@pytest.fixture(scope="session")
def regex_detector() -> PiiDetector:
    """The detector on Python's `re`, the portable scanner."""
    return PiiDetector(scanner="re")


def found(detector: PiiDetector, text: str) -> list[tuple[str, str]]:
    """(type, value) of every entity `detector` finds in `text`."""
    return [(s.type, text[s.start : s.end]) for s in detector.detect(text)]
