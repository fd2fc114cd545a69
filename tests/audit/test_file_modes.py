"""The embedded audit store is its owner's alone, like its key: a real server creates the data folder
0700 and the database with its -wal and -shm files 0600 (whatever the umask), and tightens a database
that an earlier version left readable by others, saying so in its log."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import ConfigRoot
from tests.servers import Server

_CHAT = {"model": "eu-tiny", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def _serving(config: ConfigRoot, data_dir: Path, log: Path) -> Iterator[Server]:
    env = {**config.env(), "REGIONAL_LLM_DATA_DIR": str(data_dir)}
    # The usual umask: files would be created readable by everyone.
    previous = os.umask(0o022)
    try:
        server = Server(["--region", "eu-test"], env, log)
    finally:
        os.umask(previous)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def _served(server: Server) -> None:
    response = httpx.post(
        f"{server.url}/v1/chat/completions", json=_CHAT, headers={"X-Data-Origin": "DE"}, timeout=60
    )
    assert response.status_code == 200


def test_a_new_store_is_readable_by_its_owner_only(config_root: ConfigRoot, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with _serving(config_root, data, tmp_path / "server.log") as server:
        _served(server)
        modes = {path.name: _mode(path) for path in data.iterdir()}
        expected = ("audit.key", "audit.sqlite3", "audit.sqlite3-wal", "audit.sqlite3-shm")
        assert modes == dict.fromkeys(expected, 0o600)
        assert _mode(data) == 0o700


def test_a_store_readable_by_others_is_tightened_at_start(config_root: ConfigRoot, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with _serving(config_root, data, tmp_path / "first.log") as server:
        _served(server)
    database = data / "audit.sqlite3"
    database.chmod(0o644)
    with _serving(config_root, data, tmp_path / "second.log") as server:
        assert _mode(database) == 0o600
        said = r"audit store file .*audit\.sqlite3 was open to others \(mode 0644\); now 0600"
        server.wait_for_output(said)
        _served(server)
        # Every file of the store, those SQLite made after the narrowing included.
        modes = {path.name: _mode(path) for path in data.iterdir()}
        expected = ("audit.key", "audit.sqlite3", "audit.sqlite3-wal", "audit.sqlite3-shm")
        assert modes == dict.fromkeys(expected, 0o600)
