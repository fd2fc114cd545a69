"""Process lifecycle: SIGTERM lets in-flight streams finish; a stopped server exits cleanly."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx

from tests.conftest import ConfigRoot
from tests.servers import Server


def test_sigterm_lets_a_running_stream_finish(config_root: ConfigRoot, tmp_path: Path) -> None:
    server = Server(["--region", "eu-test"], config_root.env(), tmp_path / "serve.log")
    server.wait_ready()
    body = {
        "model": "eu-tiny",
        "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": 400,
        "stream": True,
        "temperature": 1.0,
        "seed": 5,
        "stream_options": {"include_usage": True},
    }
    events = []
    with httpx.stream(
        "POST", f"{server.url}/v1/chat/completions", json=body, headers={"X-Data-Origin": "DE"}, timeout=60
    ) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(line.removeprefix("data: "))
                if len(events) == 3:
                    server.process.send_signal(signal.SIGTERM)
    assert events[-1] == "[DONE]"
    usage = json.loads(events[-2])["usage"]
    finish = [json.loads(e)["choices"][0]["finish_reason"] for e in events[:-2]]
    assert finish[-1] in ("stop", "length")
    assert usage["completion_tokens"] > 3
    assert server.stop() == 0
    assert "Traceback" not in server.output()
