"""Reading a request's JSON body: only once the origin is cleared, never past the region's size limit, and
validated into its request model with an OpenAI-style message that never echoes a value, and names a
field only when its name is a plain identifier the PII detector finds clean."""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request

from inference.api.schemas import PII_TYPES
from inference.configfile import field_path
from inference.errors import InvalidJson, InvalidRequest, RequestTooLarge, ServiceError
from inference.privacy.entities import KNOWN_TYPES
from inference.privacy.identifiers import Detector, plain_identifier
from inference.privacy.screen import PrivacyScreen

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


_SCALAR_TAGS = frozenset({"str", "constrained-str", "int", "float", "bool", "none"})


@cache
def _field_names(model: type[BaseModel]) -> frozenset[str]:
    """Every property name in `model`'s schema: the names a location may hold that are not the caller's."""
    names: set[str] = set()

    def collect(node: object) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(model.model_json_schema())
    return frozenset(names)


def _named_path(
    loc: tuple[int | str, ...], known: frozenset[str], detector: Detector | None
) -> tuple[str | None, bool]:
    """The location as a parameter path, up to the first part that may not be repeated (a key or field
    name of the caller's, not one of the `known` field names, that is not a plain identifier the
    detector finds clean); and whether that is the whole location."""
    shown: list[int | str] = []
    for part in loc:
        if isinstance(part, str) and part not in known and plain_identifier(part, detector) is None:
            return field_path(tuple(shown)) or None, False
        shown.append(part)
    return field_path(tuple(shown)) or None, True


def _problem(detail: ErrorDetails) -> str:
    """Pydantic's wording of a problem, unless it quotes the input (a union's unmatched tag does)."""
    if detail["type"] == "union_tag_invalid":
        context = detail.get("ctx") or {}
        return (
            f"its {context.get('discriminator', 'type')} does not match any of the expected tags: "
            f"{context.get('expected_tags', '')}"
        )
    message = str(detail["msg"]).removeprefix("Value error, ")
    value = detail.get("input")
    if isinstance(value, str) and len(value) >= 3 and value in message:
        return "the value is not valid"
    return message


def _describe(error: ValidationError, known: frozenset[str], detector: Detector | None) -> InvalidRequest:
    """One OpenAI-style message for the most specific problem; never echoes a value (it may be prompt
    text), and names a field only as far as its path is made of plain identifiers the detector finds
    clean."""
    details = error.errors(include_url=False)
    # A union reports one error per member; the deepest one is the most telling (an unknown content part
    # type, rather than "content should be a string"), and of equally deep ones, one of a member whose
    # type matched (too many stop strings, rather than "stop should be a string").
    detail = max(details, key=lambda d: (len(d["loc"]), not d["type"].endswith("_type")))
    kind = detail["type"]
    loc = tuple(part for part in detail["loc"] if not _is_union_tag(part))
    param, whole = _named_path(loc, known, detector)
    where = f"'{param}'" if param else "the request body"
    if kind == "json_invalid":
        return InvalidJson(f"The request body is not valid JSON: {_problem(detail)}.")
    if kind == "model_type" and not loc:
        return InvalidJson("The request body must be a JSON object.")
    if kind == "extra_forbidden":
        if whole:
            return InvalidRequest(f"Unrecognized request argument supplied: {param}", param=param)
        inside = f" in '{param}'" if param else ""
        return InvalidRequest(f"An unrecognized request argument was supplied{inside}.", param=param)
    if kind == "missing" and whole:
        return InvalidRequest(f"Missing required parameter: '{param}'.", param=param)
    preposition = "for" if whole else "in"
    return InvalidRequest(f"Invalid value {preposition} {where}: {_problem(detail)}.", param=param)


async def read_json(
    request: Request, model: type[BodyT], limit: int, privacy: PrivacyScreen | None = None
) -> BodyT:
    """Read and validate the JSON body as `model`, raising `InvalidRequest` with a precise message.
    `privacy`, the region's privacy stage, decides which entity types `pii_context` may name and which
    names a message may repeat; without it, the detector's types only, and no caller-chosen name."""
    detector = privacy.detector if privacy is not None else None
    header = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if header.lower() not in ("application/json", ""):
        shown = plain_identifier(header, detector)
        raise InvalidRequest(
            "Content-Type must be application/json" + (f", not {shown.lower()!r}." if shown else ".")
        )
    body = await read_body(request, limit)
    known = privacy.policy.known_types if privacy is not None else frozenset(KNOWN_TYPES)
    try:
        return model.model_validate_json(body, context={PII_TYPES: known})
    except ValidationError as exc:
        raise _describe(exc, _field_names(model), detector) from None
