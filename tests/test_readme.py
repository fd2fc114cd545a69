"""The README's Python example, run as written against a real server (the tiny model answers to the
same `assistant` alias as the demo build)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import openai

from tests.servers import Server

README = Path(__file__).resolve().parent.parent / "README.md"


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
