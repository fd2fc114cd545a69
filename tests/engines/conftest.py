"""Fixtures of the vLLM engine tests: the tiny model with a LoRA adapter build, in a region of its own.

These tests run only in the vLLM environment (`make test-vllm`, marker `vllm`); nothing here imports
vLLM, so the main test run collects this folder without it.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

# vLLM's CPU build sizes its KV cache from this (GiB); a tiny model needs little.
VLLM_CPU_ENV = {
    "VLLM_CPU_KVCACHE_SPACE": "1",
    "VLLM_NO_USAGE_STATS": "1",
    "VLLM_HOST_IP": "127.0.0.1",
    "HF_HUB_OFFLINE": "1",
}


@pytest.fixture(scope="session")
def vllm_env() -> dict[str, str]:
    """The environment vLLM runs in here, also set for this process (the in-process engine)."""
    for name, value in VLLM_CPU_ENV.items():
        os.environ.setdefault(name, value)
    return {**VLLM_CPU_ENV}


class EngineLoop:
    """One event loop on its own thread for a whole session: vLLM's async engine stays bound to the
    loop it first ran on, and starting it takes half a minute, so the tests share one."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="engine-loop", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 300) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@pytest.fixture(scope="session")
def engine_loop() -> Iterator[EngineLoop]:
    running = EngineLoop()
    yield running
    running.close()
