"""A field the record gained later (`client_request_id`), on real SQLite and PostgreSQL stores: a table an
older version created gains its column when a newer one opens it, the records written before still
verify, and the new field is covered by the hash of the records that have it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import pytest

from inference.audit.record import COLUMNS, LATER_FIELDS, chain_hash
from inference.audit.store import LATER_COLUMNS, AuditStore, open_store
from inference.audit.verify import verify_chain
from tests.audit.conftest import KEY, sample_record

# The table as the first version created it, before any later field.
_FIRST_TABLE = """CREATE TABLE audit_records (
    seq BIGINT PRIMARY KEY, record_id TEXT NOT NULL, time TEXT NOT NULL, request_id TEXT NOT NULL,
    region TEXT NOT NULL, endpoint TEXT NOT NULL, identity TEXT NOT NULL, origins TEXT NOT NULL,
    build TEXT NOT NULL, build_digest TEXT NOT NULL, decision TEXT NOT NULL, reason TEXT NOT NULL,
    status INTEGER NOT NULL, pii TEXT NOT NULL, prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL, ttft_ms DOUBLE PRECISION, latency_ms DOUBLE PRECISION NOT NULL,
    text_mode TEXT NOT NULL, prompt TEXT, answer TEXT, writer TEXT NOT NULL, prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL)"""
_FIRST_COLUMNS = [c for c in COLUMNS if c not in LATER_FIELDS]


def _connect(url: str) -> Any:
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    return psycopg.connect(url)


def _write_as_the_first_version(url: str, count: int) -> None:
    """Records sealed the way the first version sealed them: canonical JSON of its own fields."""
    previous = "0" * 64
    marker = "?" if url.startswith("sqlite:") else "%s"
    conn = _connect(url)
    try:
        conn.cursor().execute(_FIRST_TABLE)
        for seq in range(1, count + 1):
            values = {k: v for k, v in asdict(sample_record(seq)).items() if k in _FIRST_COLUMNS}
            values.update(seq=seq, prev_hash=previous)
            body = {k: v for k, v in values.items() if k != "hash"}
            values["hash"] = previous = chain_hash(
                KEY, json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
            )
            values["pii"] = json.dumps(values["pii"], sort_keys=True, separators=(",", ":"))
            query = (
                f"INSERT INTO audit_records ({', '.join(_FIRST_COLUMNS)}) "
                f"VALUES ({', '.join(marker for _ in _FIRST_COLUMNS)})"
            )
            conn.cursor().execute(query, tuple(values[c] for c in _FIRST_COLUMNS))
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def older_store(store_url: str) -> Iterator[AuditStore]:
    """A store holding 5 records of the first version, opened by this one."""
    _write_as_the_first_version(store_url, 5)
    store = open_store(store_url)
    yield store
    store.close()


def test_every_later_field_has_a_column() -> None:
    assert set(LATER_COLUMNS) == LATER_FIELDS


def test_an_older_store_gains_the_column_and_still_verifies(older_store: AuditStore) -> None:
    result = verify_chain(older_store, KEY)
    assert (result.ok, result.records) == (True, 5), result.problem
    assert {r.client_request_id for r in older_store.records()} == {None}
    older_store.append([sample_record(6, client_request_id="crm-4711"), sample_record(7)], KEY)
    result = verify_chain(older_store, KEY)
    assert (result.ok, result.records) == (True, 7), result.problem
    assert [r.client_request_id for r in older_store.records()][-2:] == ["crm-4711", None]


def test_a_changed_client_request_id_is_named(older_store: AuditStore) -> None:
    older_store.append([sample_record(6, client_request_id="crm-4711")], KEY)
    conn = older_store._connection()  # type: ignore[attr-defined]
    cursor = conn.cursor()
    cursor.execute(older_store._sql("UPDATE audit_records SET client_request_id = ? WHERE seq = 6"), ("x",))  # type: ignore[attr-defined]
    conn.commit()
    result = verify_chain(older_store, KEY)
    assert result.problem is not None
    assert result.problem.startswith("record seq 6 ")
    assert result.problem.endswith("its content was changed (or the audit key is wrong)")
