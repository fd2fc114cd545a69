"""The audit writer: records from every request are committed by one thread, in groups.

A request hands its record over at its end and waits for the commit before the last bytes of its
response go out; meanwhile other requests' records join the same transaction, so one commit (one
fsync) serves many requests. Nothing waits on the store before the first token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from dataclasses import dataclass

from inference.audit.record import AuditRecord
from inference.audit.store import AuditStore, StoreUnavailable

log = logging.getLogger(__name__)

_MAX_GROUP = 512
_RETRY_SECONDS = 1.0
_HEAD_LOG_EVERY = 1000


@dataclass
class _Pending:
    record: AuditRecord
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future[None]


class AuditWriter:
    """Commits records in groups on a thread of its own; reports whether the store is writable."""

    def __init__(self, store: AuditStore, key: bytes) -> None:
        self.store = store
        self._key = key
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._healthy = threading.Event()
        self._stopped = False
        self._committed = 0

    @property
    def healthy(self) -> bool:
        """Whether the last commit (or connection check) succeeded."""
        return self._healthy.is_set()

    def start(self) -> None:
        """Connect (raises StoreUnavailable if the store cannot be reached) and start the thread."""
        self.store.ping()
        self._healthy.set()
        self._thread.start()

    async def commit(self, record: AuditRecord) -> None:
        """Hand `record` over and wait until it is committed; raises StoreUnavailable if it was not."""
        if self._stopped:
            raise StoreUnavailable("the audit writer has stopped")
        loop = asyncio.get_running_loop()
        pending = _Pending(record, loop, loop.create_future())
        self._queue.put(pending)
        await asyncio.shield(pending.done)

    def close(self, timeout: float = 30.0) -> None:
        """Commit what is queued, then stop."""
        if self._stopped:
            return
        self._stopped = True
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.store.close()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._next()
            if first is None:
                break
            group = [first]
            # Everything that arrived during the previous commit goes into this one.
            while len(group) < _MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                group.append(item)
            self._commit(group)

    def _next(self) -> _Pending | None:
        """The next record; while the store is down, probe it every second."""
        while True:
            if self._healthy.is_set():
                return self._queue.get()
            try:
                return self._queue.get(timeout=_RETRY_SECONDS)
            except queue.Empty:
                try:
                    self.store.ping()
                except StoreUnavailable:
                    continue
                log.warning("the audit store %s is reachable again", self.store.shown)
                self._healthy.set()

    def _commit(self, group: list[_Pending]) -> None:
        try:
            self.store.append([p.record for p in group], self._key)
        except StoreUnavailable as exc:
            if self._healthy.is_set():
                log.error("%s; refusing requests until it is back", exc)
            self._healthy.clear()
            for pending in group:
                _settle(pending, StoreUnavailable(str(exc)))
            return
        self._healthy.set()
        before = self._committed
        self._committed += len(group)
        for pending in group:
            _settle(pending, None)
        if before // _HEAD_LOG_EVERY != self._committed // _HEAD_LOG_EVERY:
            # A witness outside the database: truncating the chain's tail cannot hide from this line.
            head = group[-1].record
            log.info("audit head seq=%d hash=%s", head.seq, head.hash)


def _settle(pending: _Pending, error: Exception | None) -> None:
    def resolve() -> None:
        if pending.done.done():
            return
        if error is None:
            pending.done.set_result(None)
        else:
            pending.done.set_exception(error)

    with contextlib.suppress(RuntimeError):  # the event loop is gone: nobody is waiting
        pending.loop.call_soon_threadsafe(resolve)


def utc_now() -> str:
    """ISO 8601 UTC with milliseconds, the format records use (it sorts as text)."""
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
