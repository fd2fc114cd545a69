"""The parts of presidio-anonymizer the privacy layer uses.

presidio-anonymizer's optional Azure operator imports presidio-analyzer when it is installed (it is,
with the `bench` extra), and that pulls in spaCy, transformers and torch: 4 s and a gigabyte for an
operator this service never uses. The import below tells it the helper is missing, and forgets that
again at once, so that presidio-analyzer itself still imports normally (for `bench privacy`).
"""

from __future__ import annotations

import sys

_AZURE_HELPER = "presidio_analyzer.llm_utils.azure_auth_helper"

if "presidio_anonymizer" not in sys.modules and _AZURE_HELPER not in sys.modules:
    sys.modules[_AZURE_HELPER] = None  # type: ignore[assignment]
    try:
        import presidio_anonymizer  # noqa: F401
    finally:
        if sys.modules.get(_AZURE_HELPER) is None:
            del sys.modules[_AZURE_HELPER]

from presidio_anonymizer.entities import InvalidParamError, OperatorConfig  # noqa: E402
from presidio_anonymizer.operators import Keep, Operator, OperatorType, Replace  # noqa: E402

__all__ = ["InvalidParamError", "Keep", "Operator", "OperatorConfig", "OperatorType", "Replace"]
