"""Application logs go through the same detector: a log line never carries a detected value. The
server's own start-up lines (`inference.logs.is_configuration`) are left as they are: they show the
operator the addresses and files they configured, and carry no request content."""

from __future__ import annotations

import logging

from inference.logs import is_configuration
from inference.privacy.detector import PiiDetector


class PiiLogFilter(logging.Filter):
    """Replaces every detected entity in a log message by `<TYPE>`, except in the server's start-up
    lines. If detection fails, the message is withheld rather than written as it is."""

    def __init__(self, detector: PiiDetector) -> None:
        super().__init__()
        self._detector = detector

    def filter(self, record: logging.LogRecord) -> bool:
        if is_configuration(record):
            return True
        try:
            message = record.getMessage()
            spans = self._detector.detect(message)
            for span in reversed(spans):
                message = message[: span.start] + f"<{span.type}>" + message[span.end :]
        except Exception:
            message = "(log message withheld: the PII filter failed on it)"
        record.msg, record.args = message, None
        return True


def install_log_filter(detector: PiiDetector) -> None:
    """Attach the filter to every handler of the root logger."""
    log_filter = PiiLogFilter(detector)
    for handler in logging.getLogger().handlers:
        handler.addFilter(log_filter)
