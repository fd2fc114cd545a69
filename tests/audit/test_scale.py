"""`regional-llm audit verify` on a 100,000-record store. Prints the time (run with -s to see it);
asserts only what the command reports."""

from __future__ import annotations

import time
from pathlib import Path

from inference.audit.store import open_store
from tests.audit.conftest import KEY, sample_record
from tests.servers import cli_env, run_cli


def test_verify_100k_records(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "audit.key").write_text(KEY.hex() + "\n")
    store = open_store(f"sqlite:///{data / 'audit.sqlite3'}")
    started = time.perf_counter()
    for batch in range(100):
        store.append([sample_record(i) for i in range(batch * 1000, batch * 1000 + 1000)], KEY)
    store.close()
    written = time.perf_counter() - started
    env = cli_env(None, None, tmp_path) | {"REGIONAL_LLM_DATA_DIR": str(data)}
    started = time.perf_counter()
    result = run_cli("audit", "verify", env=env, timeout=600)
    verified = time.perf_counter() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": 100000 records (seq 1..100000); head seq=100000 hash=" in result.stdout
    print(f"\n100,000 records: written in {written:.1f} s, `regional-llm audit verify` took {verified:.1f} s")
