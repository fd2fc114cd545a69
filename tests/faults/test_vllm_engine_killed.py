"""vLLM's engine core process killed (SIGKILL) while streams run, through a real `serve --engine vllm`.

vLLM runs its engine core in a child process of the server. Once it is gone the engine cannot come back:
the streams it was serving end with an OpenAI-shaped error event and `[DONE]`, new requests are refused
with 503 `engine_unavailable`, `/ready` fails (no new traffic) and so does `/health`, so that the
orchestrator restarts the pod. Every request still has its audit record.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import ConfigRoot
from tests.engines.conftest import VLLM_CPU_ENV
from tests.faults.traffic import Outcome, chat_body, exported_records, records_of, send, wait_until
from tests.servers import Server

pytestmark = [pytest.mark.vllm, pytest.mark.faults]

STREAMS = 3


@pytest.fixture
def vllm_server(config_root: ConfigRoot, tmp_path: Path) -> Iterator[Server]:
    """A server of its own: its engine does not survive the test."""
    env = config_root.env() | VLLM_CPU_ENV | {"REGIONAL_LLM_DATA_DIR": str(tmp_path / "data")}
    running = Server(
        ["--region", "eu-test", "--engine", "vllm", "--max-num-seqs", "4"], env, tmp_path / "server.log"
    )
    running.wait_ready(timeout=400)
    yield running
    running.stop()


def engine_core(server: Server) -> psutil.Process:
    """The server's child process that runs vLLM's engine core (it names itself `VLLM::EngineCore`)."""
    children = psutil.Process(server.process.pid).children(recursive=True)
    cores = [p for p in children if "EngineCore" in " ".join(p.cmdline()) or "EngineCore" in p.name()]
    assert cores, f"no engine core among {[p.cmdline() for p in children]}"
    # Its own children (workers, if any) die with it; the topmost one is the engine core itself.
    return next(p for p in cores if p.ppid() == server.process.pid) if len(cores) > 1 else cores[0]


def test_killing_the_engine_ends_streams_refuses_requests_and_fails_liveness(
    vllm_server: Server, config_root: ConfigRoot, tmp_path: Path
) -> None:
    url = vllm_server.url
    assert httpx.get(f"{url}/health", timeout=10).status_code == 200
    core = engine_core(vllm_server)
    streaming = threading.Barrier(STREAMS + 1)
    outcomes: list[Outcome] = []

    def first_events(outcome: Outcome) -> None:
        if len(outcome.events) == 2:
            streaming.wait(60)

    def stream() -> None:
        # As long as the context allows: the stream is still running when the engine is killed.
        outcomes.append(send(url, chat_body(max_tokens=900, stream=True), on_event=first_events, timeout=120))

    threads = [threading.Thread(target=stream) for _ in range(STREAMS)]
    for thread in threads:
        thread.start()
    streaming.wait(120)
    core.send_signal(signal.SIGKILL)
    for thread in threads:
        thread.join(120)

    assert len(outcomes) == STREAMS
    for outcome in outcomes:
        assert outcome.status == 200, outcome
        assert outcome.events[-1] == "[DONE]", outcome.events[-3:]
        error = json.loads(outcome.events[-2])
        assert error["error"]["code"] == "engine_unavailable", error
        assert set(error["error"]) == {"message", "type", "param", "code"}
        assert not outcome.acknowledged

    refused = send(url, chat_body())
    assert (refused.status, refused.code) == (503, "engine_unavailable"), refused
    assert refused.retry_after is not None
    streamed = send(url, chat_body(stream=True))
    assert (streamed.status, streamed.code) == (503, "engine_unavailable"), streamed
    ready = httpx.get(f"{url}/ready", timeout=10)
    assert ready.status_code == 503
    assert ready.json()["engine"] == "unavailable"
    # Liveness fails for good, so that the pod is restarted; the process itself still answers.
    wait_until(lambda: httpx.get(f"{url}/health", timeout=10).status_code == 503, 10, "/health fails")
    assert vllm_server.process.poll() is None

    env = config_root.env() | {"REGIONAL_LLM_DATA_DIR": str(tmp_path / "data")}
    records = exported_records(env)
    for outcome in [*outcomes, refused, streamed]:
        (record,) = records_of(records, outcome.request_id)
        assert (record["status"], record["reason"]) == (503, "engine_unavailable"), record
