"""Application logs pass through the detector."""

from __future__ import annotations

import logging

import pytest

from inference.privacy.detector import PiiDetector
from inference.privacy.entities import EntitySpan
from inference.privacy.logfilter import PiiLogFilter


def _record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("test", logging.INFO, __file__, 1, message, args, None)


def test_values_in_log_messages_are_replaced_by_their_type() -> None:
    log_filter = PiiLogFilter(PiiDetector())
    record = _record("refund for %s to %s failed", "anna@example.de", "DE89 3704 0044 0532 0130 00")
    assert log_filter.filter(record)
    assert record.getMessage() == "refund for <EMAIL_ADDRESS> to <IBAN_CODE> failed"


def test_a_failing_detector_withholds_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    detector = PiiDetector()

    def broken(text: str, known: object = None) -> list[EntitySpan]:
        raise RuntimeError("boom")

    monkeypatch.setattr(detector, "detect", broken)
    record = _record("contact %s", "anna@example.de")
    assert PiiLogFilter(detector).filter(record)
    assert record.getMessage() == "(log message withheld: the PII filter failed on it)"
