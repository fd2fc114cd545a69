"""Logging set-up. Log lines carry ids, codes and numbers, never request content."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent

STARTUP_LOGGER = "inference.cli"
"""The logger of the server's own start-up and configuration lines (region, build, address, files,
callers): what the operator configured, never request content."""

# uvicorn.error also logs request-time events; of its lines only these are configuration.
_UVICORN_STARTUP_LINES = frozenset(
    {
        "Uvicorn running on %s://%s:%d (Press CTRL+C to quit)",
        "Uvicorn running on %s://[%s]:%d (Press CTRL+C to quit)",
    }
)


def configure_logging(level: str) -> None:
    """One line per event on standard error, with a UTC timestamp."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter("%(asctime)sZ %(levelname)s %(name)s: %(message)s")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def is_configuration(record: logging.LogRecord) -> bool:
    """Whether `record` is one of the server's own start-up lines: its template is the server's and its
    values are the operator's settings, so the PII filter leaves it as it is."""
    if record.name == STARTUP_LOGGER:
        return True
    return record.name == "uvicorn.error" and record.msg in _UVICORN_STARTUP_LINES


def exception_summary(exc: BaseException) -> str:
    """An exception's type and the place it was raised, without its message.

    Exception messages from libraries may quote the input they choked on (prompt text), so only the
    type and the innermost frame are logged.
    """
    frame = None
    tb = exc.__traceback__
    while tb is not None:
        frame = tb
        tb = tb.tb_next
    if frame is None:
        return type(exc).__name__
    path = Path(frame.tb_frame.f_code.co_filename)
    try:
        shown = path.relative_to(_PACKAGE_ROOT).as_posix()
    except ValueError:
        shown = path.name
    return f"{type(exc).__name__} at {shown}:{frame.tb_lineno}"
