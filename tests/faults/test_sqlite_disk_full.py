"""The embedded SQLite audit store's disk fills up, through a real server whose data folder is a small
tmpfs: SQLite's own "database or disk is full" path, not a simulation of it.

While the disk is full every request is refused with 503 `audit_unavailable`: the first one's answer
is withheld, as its record could not be written; after that the store counts as down until a write
succeeds again (a full disk still answers reads), so requests, streams too, are refused before the
engine. The server stays up; once space is back it serves again, every answer it gave has its record
and the chain verifies.
"""

from __future__ import annotations

import errno
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ConfigRoot
from tests.faults.traffic import Outcome, chat_body, send, unrecorded, verify_chain, wait_until
from tests.servers import Server

pytestmark = pytest.mark.faults

DISK = "4m"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of its own; the test is skipped, saying why, where mounting is not permitted."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK},mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): the disk-full test did not run")
    yield mount
    subprocess.run(["umount", "--lazy", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk has no byte left; removing it gives the space back."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for chunk in (b"\0" * 65536, b"\0" * 4096, b"\0"):
            while True:
                try:
                    os.write(fd, chunk)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_refuses_requests_until_space_is_back(
    small_disk: Path, config_root: ConfigRoot, tmp_path: Path
) -> None:
    env = config_root.env() | {"REGIONAL_LLM_DATA_DIR": str(small_disk)}
    server = Server(["--region", "eu-test"], env, tmp_path / "server.log")
    server.wait_ready()
    try:
        outcomes: list[Outcome] = [send(server.url, chat_body()), send(server.url, chat_body(stream=True))]
        assert all(o.acknowledged for o in outcomes), outcomes

        filler = fill(small_disk)
        # Longer than the writer's probe interval: the store must not pass for writable while it is full.
        full: list[Outcome] = []
        started = time.monotonic()
        while len(full) < 8 or time.monotonic() - started < 4:
            full.append(send(server.url, chat_body(stream=len(full) % 2 == 1)))
            time.sleep(0.05)
        outcomes += full
        # The first is answered, then withheld; from then on the store is known to be full and streams
        # too are refused before a token is generated.
        for outcome in full:
            assert (outcome.status, outcome.code) == (503, "audit_unavailable"), outcome
            assert outcome.retry_after is not None
        assert server.process.poll() is None
        assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200

        filler.unlink()
        back: list[Outcome] = []

        def served() -> bool:
            back.append(send(server.url, chat_body()))
            return back[-1].acknowledged

        wait_until(served, 30, "a request served once space is back")
        back += [send(server.url, chat_body(stream=index % 2 == 1)) for index in range(4)]
        outcomes += back
        assert all(o.acknowledged for o in back[-4:]), back[-4:]
        for outcome in outcomes:
            assert outcome.status in (200, 503), outcome
            assert outcome.acknowledged or outcome.code == "audit_unavailable", outcome
    finally:
        assert server.stop() == 0
    assert unrecorded(outcomes, env) == []
    verify_chain(env)
    assert "Traceback" not in server.output()
