"""Where audit records live: SQLite (the embedded default) or PostgreSQL (shared by every server
process of a region). Both keep one chain: appends take a lock, read the head, and insert after it.

A store opened by a newer version gains the columns of the record's later fields (under the chain's
lock); the embedded database and its -wal and -shm files are readable by their owner only, like the
audit key."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from inference.audit.record import COLUMNS, GENESIS, AuditRecord, anchor_mac

log = logging.getLogger(__name__)

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS audit_records (
        seq BIGINT PRIMARY KEY, record_id TEXT NOT NULL, time TEXT NOT NULL, request_id TEXT NOT NULL,
        region TEXT NOT NULL, endpoint TEXT NOT NULL, identity TEXT NOT NULL, origins TEXT NOT NULL,
        build TEXT NOT NULL, build_digest TEXT NOT NULL, decision TEXT NOT NULL, reason TEXT NOT NULL,
        status INTEGER NOT NULL, client_request_id TEXT, pii TEXT NOT NULL, contradictions TEXT,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL, ttft_ms DOUBLE PRECISION, latency_ms DOUBLE PRECISION NOT NULL,
        text_mode TEXT NOT NULL, prompt TEXT, answer TEXT, writer TEXT NOT NULL, prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (time)",
    """CREATE TABLE IF NOT EXISTS audit_anchor (
        id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL, mac TEXT NOT NULL)""",
)
_POSTGRES_LOCK = 734_025_101  # the advisory lock id of the chain
# The columns of the record's later fields (`LATER_FIELDS`), added to tables an older version created.
LATER_COLUMNS: dict[str, str] = {"client_request_id": "TEXT", "contradictions": "TEXT"}


class StoreUnavailable(Exception):
    """The store cannot be reached or written. `str()` never carries record content."""


@dataclass(frozen=True)
class Anchor:
    """The last purged record: verification continues from it."""

    seq: int
    hash: str
    mac: str


@dataclass(frozen=True)
class Filters:
    """Export and incident filters; None means any."""

    since: str | None = None
    until: str | None = None
    origin: str | None = None
    decision: str | None = None
    build: str | None = None


class AuditStore(Protocol):
    """The operations the writer, `audit verify|export|purge|incident` need."""

    url: str

    @property
    def shown(self) -> str: ...

    def append(self, records: Sequence[AuditRecord], key: bytes) -> None: ...
    def records(self, filters: Filters | None = None, batch: int = 2000) -> Iterator[AuditRecord]: ...
    def anchor(self) -> Anchor | None: ...
    def purge(self, before: str, key: bytes, notice: AuditRecord) -> int: ...
    def ping(self) -> None: ...
    def close(self) -> None: ...


class _SqlStore:
    """The SQL both databases share; subclasses connect, lock and adapt parameter markers."""

    url = ""
    _marker = "?"

    @property
    def shown(self) -> str:
        """The URL without its password, for messages."""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def __init__(self) -> None:
        self._conn: Any = None

    def _connect(self) -> Any:
        raise NotImplementedError

    def _lock(self, cursor: Any) -> None:
        raise NotImplementedError

    def _begin(self, cursor: Any) -> None:
        raise NotImplementedError

    def _sql(self, query: str) -> str:
        return query.replace("?", self._marker)

    def _connection(self) -> Any:
        if self._conn is None:
            try:
                self._conn = self._connect()
                cursor = self._conn.cursor()
                # Under the chain's lock: replicas starting together would otherwise race to create
                # the tables (PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against that).
                self._begin(cursor)
                self._lock(cursor)
                for statement in _SCHEMA:
                    cursor.execute(statement)
                self._add_later_columns(cursor)
                self._conn.commit()
            except Exception as exc:
                self._conn = None
                raise StoreUnavailable(
                    f"cannot open the audit store {self.shown}: {type(exc).__name__}"
                ) from None
        return self._conn

    def _add_later_columns(self, cursor: Any) -> None:
        cursor.execute("SELECT * FROM audit_records LIMIT 0")
        present = {column[0] for column in cursor.description}
        for name, kind in LATER_COLUMNS.items():
            if name not in present:
                # Names and types are constants of this module.
                cursor.execute(f"ALTER TABLE audit_records ADD COLUMN {name} {kind}")
                log.info("audit store %s: column %s added", self.shown, name)

    def _head(self, cursor: Any) -> tuple[int, str]:
        cursor.execute("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1")
        row = cursor.fetchone()
        if row is not None:
            return int(row[0]), str(row[1])
        anchor = self._anchor(cursor)
        return (anchor.seq, anchor.hash) if anchor else (0, GENESIS)

    def _anchor(self, cursor: Any) -> Anchor | None:
        cursor.execute("SELECT seq, hash, mac FROM audit_anchor WHERE id = 1")
        row = cursor.fetchone()
        return Anchor(int(row[0]), str(row[1]), str(row[2])) if row else None

    def _insert(self, cursor: Any, records: Sequence[AuditRecord]) -> None:
        placeholders = ", ".join("?" for _ in COLUMNS)
        # Column names are constants of this module; values travel as parameters.
        query = self._sql(f"INSERT INTO audit_records ({', '.join(COLUMNS)}) VALUES ({placeholders})")  # noqa: S608
        rows = [tuple(row[c] for c in COLUMNS) for row in (r.to_row() for r in records)]
        cursor.executemany(query, rows)

    def append(self, records: Sequence[AuditRecord], key: bytes) -> None:
        """Seal `records` after the current head and commit them in one transaction."""
        conn = self._connection()
        try:
            cursor = conn.cursor()
            self._begin(cursor)
            self._lock(cursor)
            seq, previous = self._head(cursor)
            for record in records:
                seq += 1
                record.seal(seq, previous, key)
                previous = record.hash
            self._insert(cursor, records)
            conn.commit()
        except Exception as exc:
            self._reset()
            raise StoreUnavailable(
                f"cannot write to the audit store {self.shown}: {type(exc).__name__}"
            ) from None

    def _reset(self) -> None:
        try:
            if self._conn is not None:
                self._conn.rollback()
                self._conn.close()
        except Exception:  # noqa: S110 - the connection is being discarded either way
            pass
        self._conn = None

    def records(self, filters: Filters | None = None, batch: int = 2000) -> Iterator[AuditRecord]:
        """Records in chain order, read in batches by seq (no long-lived cursor)."""
        filters = filters or Filters()
        clauses, params = ["seq > ?"], []
        for column, op, value in (
            ("time", ">=", filters.since),
            ("time", "<", filters.until),
            ("decision", "=", filters.decision),
            ("build", "=", filters.build),
        ):
            if value is not None:
                clauses.append(f"{column} {op} ?")
                params.append(value)
        where = " AND ".join(clauses)  # fixed clauses with parameter markers; values are parameters
        query = self._sql(
            f"SELECT {', '.join(COLUMNS)} FROM audit_records WHERE {where} ORDER BY seq LIMIT {int(batch)}"  # noqa: S608
        )
        conn = self._connection()
        after = -1
        while True:
            cursor = conn.cursor()
            cursor.execute(query, (after, *params))
            rows = cursor.fetchall()
            conn.commit()
            for row in rows:
                record = AuditRecord.from_row(dict(zip(COLUMNS, row, strict=True)))
                if filters.origin is None or filters.origin in record.origins.split(","):
                    yield record
            if len(rows) < batch:
                return
            after = int(rows[-1][COLUMNS.index("seq")])

    def anchor(self) -> Anchor | None:
        conn = self._connection()
        cursor = conn.cursor()
        anchor = self._anchor(cursor)
        conn.commit()
        return anchor

    def purge(self, before: str, key: bytes, notice: AuditRecord) -> int:
        """Delete records older than `before`, keep the last deleted one as the anchor, and append
        `notice` (a record of the purge itself). Returns the number deleted."""
        conn = self._connection()
        try:
            cursor = conn.cursor()
            self._begin(cursor)
            self._lock(cursor)
            cursor.execute(
                self._sql("SELECT seq, hash FROM audit_records WHERE time < ? ORDER BY seq DESC LIMIT 1"),
                (before,),
            )
            last = cursor.fetchone()
            deleted = 0
            if last is not None:
                cursor.execute(self._sql("SELECT COUNT(*) FROM audit_records WHERE seq <= ?"), (last[0],))
                deleted = int(cursor.fetchone()[0])
                cursor.execute(self._sql("DELETE FROM audit_records WHERE seq <= ?"), (last[0],))
                cursor.execute("DELETE FROM audit_anchor WHERE id = 1")
                cursor.execute(
                    self._sql("INSERT INTO audit_anchor (id, seq, hash, mac) VALUES (1, ?, ?, ?)"),
                    (last[0], last[1], anchor_mac(key, int(last[0]), str(last[1]))),
                )
            notice.reason = f"{notice.reason}; {deleted} records deleted"
            seq, previous = self._head(cursor)
            notice.seal(seq + 1, previous, key)
            self._insert(cursor, [notice])
            conn.commit()
            return deleted
        except Exception as exc:
            self._reset()
            raise StoreUnavailable(
                f"cannot purge the audit store {self.shown}: {type(exc).__name__}"
            ) from None

    def ping(self) -> None:
        conn = self._connection()
        try:
            conn.cursor().execute("SELECT 1")
            conn.commit()
        except Exception as exc:
            self._reset()
            raise StoreUnavailable(
                f"the audit store {self.shown} does not answer: {type(exc).__name__}"
            ) from None

    def close(self) -> None:
        self._reset()


class SqliteStore(_SqlStore):
    """A local SQLite file in WAL mode with full fsync: a committed record survives a killed process."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.url = f"sqlite:///{path}"

    def _connect(self) -> Any:
        _owner_only(self.path)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        return _SqliteAutocommitShim(conn)

    def _begin(self, cursor: Any) -> None:
        # Several processes may share the file: take the write lock before reading the head.
        cursor.execute("BEGIN IMMEDIATE")

    def _lock(self, cursor: Any) -> None:
        return None

    def ping(self) -> None:
        """Answers only if the file takes a write: a full disk still answers reads, and the writer must not
        count the store as back before an append can succeed."""
        super().ping()
        conn = self._connection()
        try:
            cursor = conn.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            (version,) = cursor.execute("PRAGMA user_version").fetchone()
            # Writing the header's (unused) user_version back commits one page, as an append would.
            cursor.execute(f"PRAGMA user_version = {int(version)}")
            conn.commit()
        except Exception as exc:
            self._reset()
            raise StoreUnavailable(
                f"the audit store {self.shown} takes no writes: {type(exc).__name__}"
            ) from None


def _owner_only(path: Path) -> None:
    """Create the database's folder (0700) and file (0600) if missing, so that SQLite creates its -wal and
    -shm files with the same mode; take every permission of others from the files an older version
    created."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for file in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            file.chmod(mode & 0o700)
            log.warning(
                "audit store file %s was open to others (mode %04o); now %04o", file, mode, mode & 0o700
            )


class _SqliteAutocommitShim:
    """sqlite3 in autocommit mode with explicit BEGIN, behind the commit/rollback interface of psycopg."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def cursor(self) -> sqlite3.Cursor:
        return self._conn.cursor()

    def commit(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("COMMIT")

    def rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def close(self) -> None:
        self._conn.close()


class PostgresStore(_SqlStore):
    """PostgreSQL: one chain for every server process of a region, serialized by an advisory lock."""

    _marker = "%s"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.url, connect_timeout=5)

    def _begin(self, cursor: Any) -> None:
        return None  # psycopg opens a transaction on the first statement

    def _lock(self, cursor: Any) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_POSTGRES_LOCK,))


def open_store(url: str) -> AuditStore:
    """A store for `sqlite:///path` or `postgresql://...` (also `postgres://`)."""
    if url.startswith("sqlite:///"):
        return SqliteStore(Path(url.removeprefix("sqlite:///")))
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    raise ValueError(f"audit_url must start with sqlite:/// or postgresql://, not {url.split(':', 1)[0]!r}")
