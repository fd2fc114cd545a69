"""The docs' Python examples: the README's run as written against a real server (the tiny model answers
to the same `assistant` alias as the demo build); the callers' clients (docs/callers.md) built with the
files they name."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import openai
import pytest
import trustme

from tests.servers import Server

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
CALLERS = REPO / "docs" / "callers.md"


def test_readme_python_example_runs(server: Server) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 1
    code = blocks[0].replace("http://127.0.0.1:8000", server.url)
    output = io.StringIO()
    namespace: dict[str, object] = {}
    with contextlib.redirect_stdout(output):
        exec(compile(code, "README.md", "exec"), namespace)
    client = namespace["client"]
    assert isinstance(client, openai.OpenAI)
    client.close()
    lines = output.getvalue().splitlines()
    assert lines[-1] == "data_origin_mismatch"
    assert len(lines) >= 3


def test_callers_example_builds_its_clients(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (code,) = re.findall(r"```python\n(.*?)```", CALLERS.read_text(), flags=re.S)
    server_ca, client_ca = trustme.CA(), trustme.CA()
    server_ca.cert_pem.write_to_path(str(tmp_path / "server-ca.crt"))
    chatbot = client_ca.issue_cert("chatbot.us.example.com")
    chatbot.cert_chain_pems[0].write_to_path(str(tmp_path / "chatbot.crt"))
    chatbot.private_key_pem.write_to_path(str(tmp_path / "chatbot.key"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REGIONAL_LLM_KEY", "rllm_0123456789ab_" + "x" * 43)
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/callers.md", "exec"), namespace)
    for name, region, origin in (("storefront", "eu", "DE"), ("chatbot", "us", "US")):
        client = namespace[name]
        assert isinstance(client, openai.OpenAI)
        assert str(client.base_url) == f"https://llm-{region}.internal:8000/v1/"
        assert client.default_headers["X-Data-Origin"] == origin
        client.close()
