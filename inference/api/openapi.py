"""OpenAPI documentation that FastAPI cannot see by itself.

The generation endpoints parse their body by hand, after the origin check: they declare it here, and
the app adds its schemas, with the entity types its region lets `pii_context` name. Their error
responses are generated from the error classes each endpoint declares it can end in, so that the
description cannot drift from the code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from pydantic import BaseModel

from inference.api.schemas import ErrorResponse
from inference.errors import ServiceError
from inference.privacy.entities import KNOWN_TYPES

_REF = "#/components/schemas/{model}"
# Every body declared through `generation_openapi`, so that `request_schemas` needs no second list.
_HAND_PARSED: dict[str, type[BaseModel]] = {}

ORIGIN_PARAMETER = {
    "name": "X-Data-Origin",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "example": "DE"},
    "description": "Origin of the request's data: comma-separated ISO 3166-1 alpha-2 codes, EU or EEA.",
}


def summary(error: type[ServiceError]) -> str:
    """The first sentence of an error class's docstring, without its status in parentheses."""
    text = " ".join((error.__doc__ or error.__name__).split())
    first = text.split(". ")[0].rstrip(".")
    return first.removesuffix(f" ({error.status_code})")


def error_responses(errors: Iterable[type[ServiceError]]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors an endpoint can end in: per status, each code and when."""
    by_status: dict[int, dict[str, str]] = defaultdict(dict)
    for error in errors:
        by_status[error.status_code][error.code] = summary(error)
    return {
        status: {
            "model": ErrorResponse,
            "description": "; ".join(f"`{code}`: {text}" for code, text in codes.items()) + ".",
        }
        for status, codes in sorted(by_status.items())
    }


def generation_openapi(body: type[BaseModel]) -> dict[str, Any]:
    """The request body and the X-Data-Origin header of a generation endpoint."""
    _HAND_PARSED[body.__name__] = body
    schema_ref = {"$ref": _REF.format(model=body.__name__)}
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema_ref}}},
        "parameters": [ORIGIN_PARAMETER],
    }


def request_schemas(entity_types: Collection[str] = KNOWN_TYPES) -> dict[str, Any]:
    """Component schemas of the hand-parsed request bodies and everything they refer to; `pii_context`
    names exactly `entity_types`, the types the server's region knows."""
    components: dict[str, Any] = {}
    for model in _HAND_PARSED.values():
        schema = model.model_json_schema(ref_template=_REF)
        components.update(schema.pop("$defs", {}))
        pii_context = schema.get("properties", {}).get("pii_context")
        if pii_context is not None:
            pii_context["propertyNames"] = {"enum": sorted(entity_types)}
        components[model.__name__] = schema
    return components
