"""Audit stores for the tests: a SQLite file, and a fresh database on the PostgreSQL server at
127.0.0.1:5432 (skipped, saying so, where none is reachable)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from inference.audit.record import AuditRecord

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
KEY = bytes(range(32))


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[Callable[[], str]]:
    """A factory of fresh PostgreSQL databases, dropped at the end of the session."""
    if not postgres_available():
        pytest.skip("no PostgreSQL reachable at 127.0.0.1:5432: the PostgreSQL audit tests did not run")
    import psycopg

    created: list[str] = []

    def make() -> str:
        name = f"audit_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return f"postgresql://postgres@127.0.0.1:5432/{name}"

    yield make
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    make: Callable[[], str] = request.getfixturevalue("postgres_database")
    return make()


def sample_record(index: int, **fields: object) -> AuditRecord:
    values: dict[str, object] = {
        "record_id": uuid.uuid4().hex,
        "time": f"2026-11-{1 + index % 28:02d}T12:00:{index % 60:02d}.000Z",
        "request_id": f"req-{index}",
        "region": "eu-test",
        "endpoint": "chat.completions",
        "identity": "storefront-de",
        "origins": "DE",
        "build": "eu-tiny",
        "build_digest": "ab" * 32,
        "decision": "served",
        "reason": "stop",
        "status": 200,
        "pii": {"PERSON": {"pseudonymize": 1}},
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "ttft_ms": 12.5,
        "latency_ms": 80.0,
        "text_mode": "anonymized",
        "prompt": '[{"role": "user", "content": "Hallo <PERSON_1>"}]',
        "answer": '["Guten Tag <PERSON_1>"]',
        "writer": "test:1",
    }
    values.update(fields)
    return AuditRecord(**values)  # type: ignore[arg-type]
