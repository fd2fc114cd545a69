"""The hash chain on real SQLite and PostgreSQL stores: every kind of tampering is named."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from inference.audit.record import GENESIS, AuditRecord
from inference.audit.store import AuditStore, Filters, open_store
from inference.audit.verify import verify_chain
from tests.audit.conftest import KEY, sample_record


@pytest.fixture
def filled(store_url: str) -> Iterator[Callable[[int], AuditStore]]:
    """`filled(count)`: the store with `count` sample records, closed after the test."""
    opened: list[AuditStore] = []

    def fill(count: int = 10) -> AuditStore:
        store = open_store(store_url)
        opened.append(store)
        for start in range(0, count, 4):  # several transactions, as the writer makes them
            store.append([sample_record(i) for i in range(start, min(count, start + 4))], KEY)
        return store

    yield fill
    for store in opened:
        store.close()


def _sql(store: AuditStore, statement: str, *params: Any) -> None:
    """Tamper with the database directly, as someone with access to it but not to the key."""
    conn = store._connection()  # type: ignore[attr-defined]
    cursor = conn.cursor()
    cursor.execute(store._sql(statement), params)  # type: ignore[attr-defined]
    conn.commit()


def test_an_intact_chain_verifies(filled: Callable[[int], AuditStore]) -> None:
    store = filled(10)
    result = verify_chain(store, KEY)
    assert result.ok, result.problem
    assert (result.records, result.first_seq, result.head_seq) == (10, 1, 10)
    records = list(store.records())
    assert records[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))


def test_a_changed_field_is_named(filled: Callable[[int], AuditStore]) -> None:
    store = filled(10)
    _sql(store, "UPDATE audit_records SET origins = ? WHERE seq = ?", "US", 5)
    result = verify_chain(store, KEY)
    assert result.problem is not None
    assert result.problem.startswith("record seq 5 (request req-4, ")
    assert result.problem.endswith("its content was changed (or the audit key is wrong)")
    assert result.records == 4


def test_a_deleted_record_is_named(filled: Callable[[int], AuditStore]) -> None:
    store = filled(10)
    _sql(store, "DELETE FROM audit_records WHERE seq = ?", 5)
    result = verify_chain(store, KEY)
    assert result.problem is not None
    assert result.problem.startswith("record seq 6 ")
    assert "expected seq 5; records are missing (deleted)" in result.problem


def test_an_inserted_record_is_named(filled: Callable[[int], AuditStore]) -> None:
    store = filled(10)
    for seq in range(10, 5, -1):  # make room after seq 5, from the end (seq is the primary key)
        _sql(store, "UPDATE audit_records SET seq = ? WHERE seq = ?", seq + 1, seq)
    five = next(r for r in store.records() if r.seq == 5)
    forged = sample_record(99, request_id="forged")
    forged.seq, forged.prev_hash, forged.hash = 6, five.hash, "f" * 64
    row = forged.to_row()
    columns = ", ".join(row)
    _sql(
        store, f"INSERT INTO audit_records ({columns}) VALUES ({', '.join('?' for _ in row)})", *row.values()
    )
    result = verify_chain(store, KEY)
    assert result.problem is not None
    assert result.problem.startswith("record seq 6 (request forged, ")
    assert result.problem.endswith("its content was changed (or the audit key is wrong)")


def test_reordered_records_are_named(filled: Callable[[int], AuditStore]) -> None:
    store = filled(10)
    _sql(store, "UPDATE audit_records SET seq = -1 WHERE seq = 3")
    _sql(store, "UPDATE audit_records SET seq = 3 WHERE seq = 4")
    _sql(store, "UPDATE audit_records SET seq = 4 WHERE seq = -1")
    result = verify_chain(store, KEY)
    assert result.problem is not None
    assert result.problem.startswith("record seq 3 (request req-3, ")
    assert "does not link to the record before it" in result.problem


def test_the_wrong_key_fails_at_the_first_record(filled: Callable[[int], AuditStore]) -> None:
    result = verify_chain(filled(10), b"x" * 32)
    assert result.problem is not None
    assert result.problem.startswith("record seq 1 ")


def test_purge_keeps_a_verifiable_chain(filled: Callable[[int], AuditStore]) -> None:
    store = filled(12)  # times 2026-11-01 .. 2026-11-12
    notice = sample_record(
        0, decision="purge", reason="retention 1 days", request_id="-", time="2026-11-30T00:00:00.000Z"
    )
    deleted = store.purge("2026-11-06T00:00:00.000Z", KEY, notice)
    assert deleted == 5
    assert notice.seq == 13
    assert notice.reason == "retention 1 days; 5 records deleted"
    result = verify_chain(store, KEY)
    assert result.ok, result.problem
    assert (result.records, result.first_seq, result.head_seq) == (8, 6, 13)
    store.append([sample_record(50)], KEY)  # the chain goes on after a purge
    assert verify_chain(store, KEY).ok
    _sql(store, "UPDATE audit_anchor SET seq = 4 WHERE id = 1")
    problem = verify_chain(store, KEY).problem
    assert problem is not None
    assert problem.startswith("the purge anchor (seq 4) was changed")


def test_export_filters(filled: Callable[[int], AuditStore]) -> None:
    store = filled(10)
    store.append(
        [sample_record(20, origins="FR,DE", decision="refused", status=403, time="2026-11-29T00:00:00.000Z")],
        KEY,
    )
    assert [r.request_id for r in store.records(Filters(origin="FR"))] == ["req-20"]
    assert [r.request_id for r in store.records(Filters(decision="refused"))] == ["req-20"]
    since = [r.request_id for r in store.records(Filters(since="2026-11-09T00:00:00.000Z"))]
    assert since == ["req-8", "req-9", "req-20"]
    assert len(list(store.records(Filters(until="2026-11-03T00:00:00.000Z")))) == 2
    assert len(list(store.records(batch=3))) == 11  # read in batches, nothing lost at their edges


def test_record_round_trip(filled: Callable[[int], AuditStore]) -> None:
    store = filled(1)
    record = next(store.records())
    original = sample_record(0)
    for field in ("request_id", "origins", "pii", "prompt", "answer", "ttft_ms", "latency_ms", "status"):
        assert getattr(record, field) == getattr(original, field), field
    assert json.loads(record.prompt or "") == [{"role": "user", "content": "Hallo <PERSON_1>"}]
    assert isinstance(record, AuditRecord)


def test_bad_urls() -> None:
    with pytest.raises(ValueError, match="audit_url must start with sqlite:/// or postgresql://"):
        open_store("mysql://x")
