"""Logging set-up. Log lines carry ids, codes and numbers, never request content."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def configure_logging(level: str) -> None:
    """One line per event on standard error, with a UTC timestamp."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter("%(asctime)sZ %(levelname)s %(name)s: %(message)s")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


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
