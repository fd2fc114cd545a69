"""The group-committing writer, and several processes writing one chain."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Sequence

import pytest

from inference.audit.record import AuditRecord
from inference.audit.store import AuditStore, StoreUnavailable, open_store
from inference.audit.verify import verify_chain
from inference.audit.writer import AuditWriter
from tests.audit.conftest import KEY, sample_record


class CountingStore:
    """A real store that counts transactions, and can be switched off to stand for an outage."""

    def __init__(self, inner: AuditStore) -> None:
        self.inner = inner
        self.url = inner.url
        self.transactions = 0
        self.down = threading.Event()

    @property
    def shown(self) -> str:
        return self.inner.shown

    def append(self, records: Sequence[AuditRecord], key: bytes) -> None:
        if self.down.is_set():
            raise StoreUnavailable("cannot write to the audit store: OperationalError")
        self.transactions += 1
        self.inner.append(records, key)

    def ping(self) -> None:
        if self.down.is_set():
            raise StoreUnavailable("the audit store does not answer: OperationalError")
        self.inner.ping()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_concurrent_requests_share_commits(store_url: str) -> None:
    store = CountingStore(open_store(store_url))
    writer = AuditWriter(store, KEY)  # type: ignore[arg-type]
    writer.start()

    async def go() -> None:
        await asyncio.gather(*(writer.commit(sample_record(i)) for i in range(300)))

    asyncio.run(go())
    writer.close()
    assert store.transactions < 300  # grouped: one fsync served many requests
    check = open_store(store_url)
    try:
        result = verify_chain(check, KEY)
    finally:
        check.close()
    assert result.ok
    assert result.records == 300


def test_an_outage_fails_commits_and_recovers(store_url: str) -> None:
    store = CountingStore(open_store(store_url))
    writer = AuditWriter(store, KEY)  # type: ignore[arg-type]
    writer.start()

    async def commit(index: int) -> None:
        await writer.commit(sample_record(index))

    asyncio.run(commit(1))
    assert writer.healthy
    store.down.set()
    with pytest.raises(StoreUnavailable):
        asyncio.run(commit(2))
    assert not writer.healthy
    store.down.clear()
    for _ in range(50):  # the writer probes the store every second
        if writer.healthy:
            break
        threading.Event().wait(0.1)
    assert writer.healthy
    asyncio.run(commit(3))
    writer.close()
    check = open_store(store_url)
    try:
        assert [r.request_id for r in check.records()] == ["req-1", "req-3"]
    finally:
        check.close()


def _write_many(url: str, worker: int, count: int) -> None:
    store = open_store(url)
    writer = AuditWriter(store, KEY)
    writer.start()

    async def go() -> None:
        for batch in range(0, count, 10):
            await asyncio.gather(
                *(
                    writer.commit(sample_record(i, request_id=f"w{worker}-{i}"))
                    for i in range(batch, batch + 10)
                )
            )

    asyncio.run(go())
    writer.close()


def test_several_writer_processes_keep_one_chain(store_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(store_url, w, 60)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
        assert process.exitcode == 0
    store = open_store(store_url)
    try:
        result = verify_chain(store, KEY)
        ids = {r.request_id for r in store.records()}
    finally:
        store.close()
    assert result.ok, result.problem
    assert result.records == 240
    assert ids == {f"w{w}-{i}" for w in range(4) for i in range(60)}
