"""Start the real `regional-llm` command as a subprocess and wait for it to listen."""

from __future__ import annotations

import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cli_env(regions_dir: Path | None, models_dir: Path | None, cache_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["REGIONAL_LLM_CACHE_DIR"] = str(cache_dir)
    # Each configuration gets its own embedded audit store and key, never the user's.
    env["REGIONAL_LLM_DATA_DIR"] = str(cache_dir / "data")
    if regions_dir is not None:
        env["REGIONAL_LLM_REGIONS_DIR"] = str(regions_dir)
    if models_dir is not None:
        env["REGIONAL_LLM_MODELS_DIR"] = str(models_dir)
    return env


def run_cli(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `regional-llm ARGS` to completion."""
    return subprocess.run(
        [sys.executable, "-m", "inference.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Server:
    """A `regional-llm serve` subprocess with its output captured in a file. With `trust` (a client TLS
    context that trusts the server's certificate), it is an HTTPS server."""

    def __init__(
        self, args: list[str], env: dict[str, str], log_file: Path, trust: ssl.SSLContext | None = None
    ) -> None:
        self.port = free_port()
        self.trust = trust
        self.url = f"{'https' if trust else 'http'}://127.0.0.1:{self.port}"
        self.log_file = log_file
        self._log = log_file.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "inference.cli", "serve", "--port", str(self.port), *args],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/ready", timeout=2, verify=self.trust or True).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not become ready in {timeout} s:\n{self.output()}")

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_file.read_text(errors="replace")

    def wait_for_output(self, pattern: str, timeout: float = 10) -> re.Match[str]:
        """The first match of `pattern` in the output, waiting for the server to write it."""
        deadline = time.monotonic() + timeout
        while (found := re.search(pattern, self.output())) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not in the server output:\n{self.output()}")
            time.sleep(0.05)
        return found

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


def metric(server: Server, name: str, headers: dict[str, str] | None = None, **labels: str) -> float:
    """The sum of a Prometheus metric's samples on `server` whose labels include `labels`."""
    text = httpx.get(f"{server.url}/metrics", headers=headers, timeout=10).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total
