"""Typed dependencies for route handlers, and reading the request body only once the origin is cleared."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from inference.api.context import ServedModel, ServingContext
from inference.api.timing import StageTimes
from inference.audit.trail import AuditDraft
from inference.configfile import field_path
from inference.errors import InvalidRequest, RequestTooLarge
from inference.policy.identity import Caller, check_grant
from inference.policy.origin import OriginTag, check_origin, parse_origin_tag

BodyT = TypeVar("BodyT", bound=BaseModel)


def get_context(request: Request) -> ServingContext:
    """The serving context the app was built with."""
    context = request.app.state.serving
    assert isinstance(context, ServingContext)
    return context


ContextDep = Annotated[ServingContext, Depends(get_context)]


def caller_of(request: Request) -> Caller:
    """Who sent the request, as the middleware identified them."""
    caller = request.state.caller
    assert isinstance(caller, Caller)
    return caller


CallerDep = Annotated[Caller, Depends(caller_of)]


def audit_draft(request: Request) -> AuditDraft | None:
    """The audit record in the making of a generation request (the middleware starts it)."""
    draft = getattr(request.state, "audit", None)
    return draft if isinstance(draft, AuditDraft) else None


def resolve_model(request: Request, context: ServingContext, name: str) -> ServedModel:
    """The build a request's `model` names (404 if none, or if the caller's grant does not include it);
    its reference goes to the response's X-Model-Build header and to the audit record, so both name the
    adapter build when one answers."""
    served = context.resolve_model(name, caller_of(request))
    request.state.build_reference = served.reference
    draft = audit_draft(request)
    if draft is not None:
        draft.build = (served.id, served.pinned.digest)
    return served


def stage_times(request: Request) -> StageTimes:
    """The stage timer of this request (the middleware starts one for every request)."""
    timing = request.state.timing
    assert isinstance(timing, StageTimes)
    return timing


def require_origin(request: Request, context: ContextDep, caller: CallerDep) -> OriginTag:
    """Parse `X-Data-Origin` and check it against the region, then against the caller's grant, before
    the body is read."""
    with stage_times(request).measure("origin"):
        tag = parse_origin_tag(request.headers.getlist("x-data-origin"))
        draft = audit_draft(request)
        if draft is not None:
            draft.origins = str(tag)  # recorded whether or not the region accepts them
        check_origin(tag, context.region.id, context.region.accepted)
        check_grant(tag, caller)
    return tag


OriginDep = Annotated[OriginTag, Depends(require_origin)]


def request_id(request: Request) -> str:
    """The id the middleware gave this request."""
    value = request.state.request_id
    assert isinstance(value, str)
    return value


RequestIdDep = Annotated[str, Depends(request_id)]


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
        return InvalidRequest(f"The request body is not valid JSON: {message}.", code="invalid_json")
    if kind == "extra_forbidden":
        return InvalidRequest(f"Unrecognized request argument supplied: {param}", param=param)
    if kind == "missing":
        return InvalidRequest(f"Missing required parameter: '{param}'.", param=param)
    if kind == "model_type" and not loc:
        return InvalidRequest("The request body must be a JSON object.", code="invalid_json")
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
