"""OpenAPI documentation for the generation endpoints. They parse their body by hand, after the
origin check, so FastAPI cannot see it: they declare it here, and the app adds its schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from inference.api.schemas import ChatCompletionRequest, CompletionRequest, ErrorResponse

_REF = "#/components/schemas/{model}"

GENERATION_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        400: "Invalid request (invalid_request_error), missing or malformed X-Data-Origin "
        "(data_origin_missing, data_origin_invalid), or prompt too long (context_length_exceeded).",
        401: "No valid identity: an API key missing, wrong, revoked or expired, or a client certificate "
        "without a grant (invalid_api_key); only when callers are identified.",
        403: "The data origin is not accepted by this region (data_origin_mismatch), or not within the "
        "caller's grant (origin_not_granted).",
        404: "The model is not served in this region, or not to this caller (model_not_found).",
        413: "The request body exceeds the region's limit (request_too_large).",
        429: "The caller's grant allows fewer requests per minute (rate_limit_exceeded, with Retry-After).",
        503: "The engine is not available (engine_unavailable).",
    }.items()
}

ORIGIN_PARAMETER = {
    "name": "X-Data-Origin",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "example": "DE"},
    "description": "Origin of the request's data: comma-separated ISO 3166-1 alpha-2 codes, EU or EEA.",
}


def generation_openapi(body: type[BaseModel]) -> dict[str, Any]:
    """The request body and the X-Data-Origin header of a generation endpoint."""
    schema_ref = {"$ref": _REF.format(model=body.__name__)}
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema_ref}}},
        "parameters": [ORIGIN_PARAMETER],
    }


def request_schemas() -> dict[str, Any]:
    """Component schemas of the hand-parsed request bodies and everything they refer to."""
    components: dict[str, Any] = {}
    for model in (ChatCompletionRequest, CompletionRequest):
        schema = model.model_json_schema(ref_template=_REF)
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    return components
