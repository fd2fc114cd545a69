"""Application logs pass through the detector."""

from __future__ import annotations

import logging

import pytest

from inference.privacy.detector import PiiDetector
from inference.privacy.entities import EntitySpan
from inference.privacy.logfilter import PiiLogFilter


def _record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("test", logging.INFO, __file__, 1, message, args, None)


def test_values_in_log_messages_are_replaced_by_their_type(detector: PiiDetector) -> None:
    log_filter = PiiLogFilter(detector)
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


def _named(name: str, message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)


def test_the_servers_own_start_up_lines_are_left_alone(detector: PiiDetector) -> None:
    log_filter = PiiLogFilter(detector)
    running = _named(
        "uvicorn.error", "Uvicorn running on %s://%s:%d (Press CTRL+C to quit)", "http", "10.1.2.3", 80
    )
    serving = _named(
        "inference.cli", "serving region %s on %s://%s:%d", "eu-central-1", "http", "10.1.2.3", 80
    )
    for record in (running, serving):
        assert log_filter.filter(record)
        assert "10.1.2.3" in record.getMessage()


def test_request_path_lines_are_still_filtered_whatever_their_logger(detector: PiiDetector) -> None:
    log_filter = PiiLogFilter(detector)
    # uvicorn.error also logs request-time events: only its start-up lines are the server's configuration.
    for record in (
        _named("uvicorn.error", "Invalid HTTP request from %s", "anna@example.de"),
        _named("uvicorn.error", "Uvicorn running on %s", "anna@example.de"),
        _named("inference.access", "%s GET /health 200", "anna@example.de"),
        _named("inference.api.protocol", "refused %s", "anna@example.de"),
    ):
        assert log_filter.filter(record)
        assert record.getMessage().count("<EMAIL_ADDRESS>") == 1, record.name
