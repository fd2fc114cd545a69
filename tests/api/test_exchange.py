"""The Exchange: one request's state, committed to a real audit store exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from inference.api.exchange import Exchange
from inference.audit.store import SqliteStore
from inference.audit.trail import Auditor
from inference.audit.writer import AuditWriter
from inference.engines.base import EngineStats
from inference.errors import AuditUnavailable, ModelNotFound
from inference.metrics import ServiceMetrics
from inference.policy.identity import Caller
from inference.policy.origin import parse_origin_tag
from inference.privacy.detector import PiiDetector
from inference.privacy.policy import PrivacyPolicy
from inference.privacy.screen import PrivacyScreen

KEY = b"k" * 32


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "audit.sqlite3")
    yield store
    store.close()


@pytest.fixture
def auditor(tmp_path: Path) -> Iterator[Auditor]:
    writer = AuditWriter(SqliteStore(tmp_path / "audit.sqlite3"), KEY)
    writer.start()
    privacy = PrivacyScreen(PiiDetector(), PrivacyPolicy(), None)
    yield Auditor(writer, KEY, "eu-test", "eu-tiny", "ab" * 32, "anonymized", privacy)
    writer.close()


def _metrics() -> ServiceMetrics:
    return ServiceMetrics("eu-test", "eu-tiny", "ab" * 32, lambda: EngineStats(0, 0, True))


def _scope(request_id: str = "req-1") -> dict[str, object]:
    return {
        "type": "http",
        "path": "/v1/chat/completions",
        "method": "POST",
        "headers": [(b"x-request-id", request_id.encode())],
    }


def test_an_exchange_is_committed_once(auditor: Auditor, store: SqliteStore) -> None:
    metrics = _metrics()
    scope = _scope()
    exchange = Exchange.open(scope, auditor, metrics)
    assert Exchange.of(scope) is exchange
    exchange.record_caller(Caller("key:abc/storefront"))
    exchange.record_origin(parse_origin_tag(["de, fr"]))
    exchange.record_refusal(ModelNotFound("The requested model does not exist."))

    async def go() -> None:
        await exchange.commit(404)
        await exchange.commit(200)  # later calls do nothing
        await exchange.settle(499)

    asyncio.run(go())
    (record,) = store.records()
    assert (record.request_id, record.client_request_id) == (exchange.request_id, "req-1")
    assert (record.endpoint, record.identity, record.origins) == (
        "chat.completions",
        "key:abc/storefront",
        "DE,FR",
    )
    assert (record.decision, record.reason, record.status) == ("refused", "model_not_found", 404)
    refused = metrics.registry.get_sample_value(
        "regional_llm:request_refused_total",
        {"model_name": "eu-tiny", "region": "eu-test", "code": "model_not_found"},
    )
    assert refused == 1.0


def test_settle_records_a_request_that_ended_without_a_record_as_aborted(
    auditor: Auditor, store: SqliteStore
) -> None:
    exchange = Exchange.open(_scope("req-gone"), auditor, _metrics())
    exchange.record_blocked(Counter({("CREDIT_CARD", "block"): 1}))
    asyncio.run(exchange.settle(0))
    (record,) = store.records()
    assert (record.decision, record.status, record.reason) == ("aborted", 499, "client_disconnected")
    assert record.pii == {"CREDIT_CARD": {"block": 1}}


def test_an_unaudited_exchange_writes_nothing(auditor: Auditor, store: SqliteStore) -> None:
    exchange = Exchange.open(_scope(), None, _metrics())
    asyncio.run(exchange.commit(200))
    asyncio.run(exchange.settle(200))
    assert not exchange.committed
    assert list(store.records()) == []


def test_a_refusal_for_an_unavailable_store_is_counted_not_written(
    auditor: Auditor, store: SqliteStore
) -> None:
    metrics = _metrics()
    exchange = Exchange.open(_scope(), auditor, metrics)
    exchange.record_refusal(AuditUnavailable("The audit trail cannot be written now; retry later."))
    asyncio.run(exchange.commit(503))
    assert exchange.committed
    assert list(store.records()) == []
    labels = {"model_name": "eu-tiny", "region": "eu-test", "code": "audit_unavailable"}
    assert metrics.registry.get_sample_value("regional_llm:request_refused_total", labels) == 1.0


def test_a_commit_that_cannot_be_stored_raises_the_client_facing_error(auditor: Auditor) -> None:
    auditor.writer.close()  # a stopped writer takes no records
    exchange = Exchange.open(_scope(), auditor, _metrics())
    with pytest.raises(AuditUnavailable):
        asyncio.run(exchange.commit(200))
    asyncio.run(exchange.settle(200))  # never raises: the response is gone by then
    assert exchange.committed


def test_the_record_is_keyed_by_the_servers_id_and_keeps_the_callers_only_screened(
    auditor: Auditor, store: SqliteStore
) -> None:
    sent = [
        "crm-4711:a.b",
        "crm-4711:a.b",
        "DE89 3704 0044 0532 0130 00",
        "DE89370400440532013000",
        "x" * 129,
    ]
    exchanges = [Exchange.open(_scope(value), auditor, _metrics()) for value in sent]

    async def go() -> None:
        for exchange in exchanges:
            await exchange.commit(200)

    asyncio.run(go())
    records = list(store.records())
    assert [r.request_id for r in records] == [e.request_id for e in exchanges]
    assert len({r.request_id for r in records}) == len(sent)
    assert all(len(r.request_id) == 32 for r in records)
    assert [r.client_request_id for r in records] == ["crm-4711:a.b", "crm-4711:a.b", None, None, None]


def test_load_shed_by_decision_is_recorded_as_refused(auditor: Auditor, store: SqliteStore) -> None:
    from inference.api.admission import ServerOverloaded
    from inference.errors import EngineUnavailable

    for request_id, error in (
        ("shed", ServerOverloaded("The replica is full.")),
        ("down", EngineUnavailable("The engine is not running.")),
    ):
        exchange = Exchange.open(_scope(request_id), auditor, _metrics())
        exchange.record_refusal(error)
        asyncio.run(exchange.commit(503))
    decisions = {r.client_request_id: r.decision for r in store.records()}
    assert decisions == {"shed": "refused", "down": "failed"}
