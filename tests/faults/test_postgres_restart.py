"""The PostgreSQL audit store restarted while clients keep sending requests, through a real server: a
cluster of the test's own, stopped `fast` (sessions terminated) or `immediate` (as in a crash, start-up
replays the WAL) and started again.

No acknowledged answer lacks its audit record, nothing but the documented 503 `audit_unavailable` is
refused, the server reconnects by itself and serves again, and the chain verifies.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ConfigRoot
from tests.faults.postgres import PrivateCluster, postgres_bin
from tests.faults.traffic import Load, Outcome, chat_body, unrecorded, verify_chain, wait_until
from tests.servers import Server

pytestmark = pytest.mark.faults

CLIENTS = [chat_body(max_tokens=16), chat_body(max_tokens=16, stream=True)] * 2


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL installed (initdb, pg_ctl): the PostgreSQL restart tests did not run")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("no `postgres` user to run initdb as: the PostgreSQL restart tests did not run")
    running = PrivateCluster(bin_dir)
    try:
        running.init()
        running.start()
        yield running
    finally:
        running.destroy()


def expected(outcome: Outcome) -> bool:
    """Served in full, or refused with the store's documented 503 (a stream: its error event)."""
    return outcome.acknowledged or (outcome.status in (200, 503) and outcome.code == "audit_unavailable")


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_restarted_database_loses_no_acknowledged_record(
    cluster: PrivateCluster, config_root: ConfigRoot, tmp_path: Path, mode: str
) -> None:
    (tmp_path / "audit.key").write_text("ab" * 32 + "\n")
    env = config_root.env() | {
        "REGIONAL_LLM_AUDIT_URL": cluster.url,
        "REGIONAL_LLM_AUDIT_KEY_FILE": str(tmp_path / "audit.key"),
    }
    server = Server(["--region", "eu-test", "--max-num-seqs", "4"], env, tmp_path / "server.log")
    server.wait_ready()
    try:
        with Load(server.url, CLIENTS) as load:
            wait_until(lambda: load.count(lambda o: o.acknowledged) >= 8, 60, "8 answers before the restart")
            restarted = len(load.since(0))
            cluster.restart(mode)
            wait_until(
                lambda: sum(o.acknowledged for o in load.since(restarted)) >= 8, 60, "8 answers after it"
            )
        assert server.process.poll() is None
    finally:
        server.stop()
    outcomes = load.outcomes
    assert [str(o) for o in outcomes if not expected(o)] == []
    assert unrecorded(outcomes, env) == []
    verify_chain(env)
    assert "Traceback" not in server.output()
