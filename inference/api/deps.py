"""Typed dependencies of the route handlers: the serving context, the request's Exchange and caller, the
origin check (before the body is read) and the generation pipeline.

A route that takes `AuditedExchangeDep` (directly or through `OriginDep` or `PipelineDep`) is audited:
the app derives its audited routes from these dependencies, and the middleware opens their Exchanges
with the auditor. Handlers never reach into `request.state`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from inference.api.context import ServingContext
from inference.api.exchange import Exchange
from inference.api.pipeline import GenerationPipeline
from inference.errors import InternalError
from inference.policy.identity import Caller, check_grant
from inference.policy.origin import OriginTag, check_origin, parse_origin_tag


def get_context(request: Request) -> ServingContext:
    """The serving context the app was built with."""
    context = request.app.state.serving
    assert isinstance(context, ServingContext)
    return context


ContextDep = Annotated[ServingContext, Depends(get_context)]


def exchange_of(request: Request) -> Exchange:
    """This request's Exchange, as the middleware opened it."""
    return Exchange.of(request.scope)


ExchangeDep = Annotated[Exchange, Depends(exchange_of)]


def audited_exchange(exchange: ExchangeDep) -> Exchange:
    """This request's Exchange, which must be audited: taking it is what makes a route audited."""
    if not exchange.audited:
        # The middleware and the routes disagree on what is audited: refuse rather than serve unaudited.
        raise InternalError(f"The server failed to process request {exchange.request_id}.")
    return exchange


AuditedExchangeDep = Annotated[Exchange, Depends(audited_exchange)]


def caller_of(exchange: ExchangeDep) -> Caller:
    """Who sent the request, as the middleware identified them."""
    return exchange.caller


CallerDep = Annotated[Caller, Depends(caller_of)]


def require_origin(request: Request, context: ContextDep, exchange: AuditedExchangeDep) -> OriginTag:
    """Parse `X-Data-Origin` and check it against the region, then against the caller's grant, before
    the body is read."""
    with exchange.timing.measure("origin"):
        tag = parse_origin_tag(request.headers.getlist("x-data-origin"))
        exchange.record_origin(tag)
        check_origin(tag, context.region.id, context.region.accepted)
        check_grant(tag, exchange.caller)
    return tag


OriginDep = Annotated[OriginTag, Depends(require_origin)]


def generation_pipeline(
    request: Request, context: ContextDep, exchange: AuditedExchangeDep, origin: OriginDep
) -> GenerationPipeline:
    """The generation use-case for this request, once its origin is cleared."""
    return GenerationPipeline(request, context, exchange)


PipelineDep = Annotated[GenerationPipeline, Depends(generation_pipeline)]
