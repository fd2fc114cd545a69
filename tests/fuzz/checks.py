"""The fuzz step's own checks and hook, loaded by the schemathesis CLI as its hooks module
(`SCHEMATHESIS_HOOKS=tests.fuzz.checks`); the checks are named in its `--checks`.

- `openai_error_shape`: every 4xx and 5xx body is `{"error": {"message", "type", "param", "code"}}`.
- `refused_only_on_meaning`: a request the schema calls valid is refused only on its meaning, never for
  a shape the schema does not state. Schemathesis' own `positive_data_acceptance` judges by status alone;
  here a 400 `context_length_exceeded` is fine and a 400 `invalid_request` is not.
- `map_body`: most requests name a model the server serves, so that they reach validation, screening
  and the engine instead of stopping at `model_not_found`.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import CheckContext, Response
from schemathesis.generation.case import Case

# Refusals of a schema-valid request on its meaning, which a schema cannot state: a model not served
# here, a prompt too long for the context, PII the region blocks, data pointing to a country the region
# does not accept (only where it refuses such evidence).
MEANING_CODES = frozenset(
    {"model_not_found", "context_length_exceeded", "pii_blocked", "data_origin_contradicted"}
)
# The fuzzed server's build and its alias; a third of the generated names are kept as they are.
SERVED_MODELS = (None, "eu-tiny", "assistant")


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    """Replace a generated model name (a string, so a valid case stays valid) by a served one, mostly."""
    if isinstance(body, dict) and isinstance(body.get("model"), str):
        served = SERVED_MODELS[len(body["model"]) % len(SERVED_MODELS)]
        if served is not None:
            return {**body, "model": served}
    return body


def _error(response: Response) -> dict[str, Any] | None:
    """The `error` object of an OpenAI-shaped body, or None."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(body["error"], dict):
        return None
    error: dict[str, Any] = body["error"]
    if set(error) != {"message", "type", "param", "code"} or not isinstance(error["code"], str):
        return None
    return error


@schemathesis.check
def openai_error_shape(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every error body is in the OpenAI shape."""
    if response.status_code >= 400 and _error(response) is None:
        raise AssertionError(f"a {response.status_code} not in the OpenAI error shape: {response.text[:300]}")
    return None


@schemathesis.check
def refused_only_on_meaning(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A schema-valid request is not refused for its shape."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code < 400:
        return None
    error = _error(response)
    if error is None or error["code"] not in MEANING_CODES:
        code, param = (error["code"], error["param"]) if error else (None, None)
        raise AssertionError(
            f"a request the schema calls valid was refused: {response.status_code} {code}, param {param}"
        )
    return None
