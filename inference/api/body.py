"""Reading a request's JSON body: only once the origin is cleared, never past the region's size limit, and
validated into its request model with an OpenAI-style message that never echoes a value."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from inference.configfile import field_path
from inference.errors import InvalidJson, InvalidRequest, RequestTooLarge, ServiceError

BodyT = TypeVar("BodyT", bound=BaseModel)

BODY_ERRORS: tuple[type[ServiceError], ...] = (InvalidJson, InvalidRequest, RequestTooLarge)
"""What reading a body can end in."""


def _too_large(limit: int) -> RequestTooLarge:
    return RequestTooLarge(f"The request body exceeds this region's limit of {limit} bytes.")


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing more than `limit` bytes without reading past the limit."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _is_union_tag(part: int | str) -> bool:
    """Whether a location part names a member of a union (`str`, `list[str]`) rather than a field."""
    return isinstance(part, str) and (part in _SCALAR_TAGS or "[" in part)


_SCALAR_TAGS = frozenset({"str", "int", "float", "bool", "none"})


def _describe(error: ValidationError) -> InvalidRequest:
    """One OpenAI-style message for the most specific problem; never echoes the value (it may be
    prompt text)."""
    details = error.errors(include_url=False, include_input=False)
    # A union reports one error per member; the deepest one is the most telling
    # (an unknown content part type, rather than "content should be a string").
    detail = max(details, key=lambda d: len(d["loc"]))
    kind = detail["type"]
    loc = tuple(part for part in detail["loc"] if not _is_union_tag(part))
    param = field_path(loc) or None
    message = str(detail["msg"]).removeprefix("Value error, ")
    if kind == "json_invalid":
        return InvalidJson(f"The request body is not valid JSON: {message}.")
    if kind == "extra_forbidden":
        return InvalidRequest(f"Unrecognized request argument supplied: {param}", param=param)
    if kind == "missing":
        return InvalidRequest(f"Missing required parameter: '{param}'.", param=param)
    if kind == "model_type" and not loc:
        return InvalidJson("The request body must be a JSON object.")
    return InvalidRequest(f"Invalid value for '{param}': {message}.", param=param)


async def read_json(request: Request, model: type[BodyT], limit: int) -> BodyT:
    """Read and validate the JSON body as `model`, raising `InvalidRequest` with a precise message."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type not in ("application/json", ""):
        raise InvalidRequest(f"Content-Type must be application/json, not {content_type[:60]!r}.")
    body = await read_body(request, limit)
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise _describe(exc) from None
