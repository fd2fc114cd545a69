"""The fuzz step (`make fuzz`, marker `fuzz`): the schemathesis CLI over a real server's `/openapi.json`,
a bounded run of schema-driven requests, valid and invalid, every one with `X-Data-Origin: DE`.

Its examples, coverage and fuzzing phases send several hundred requests (up to `MAX_EXAMPLES` fuzzed
ones per operation); each response must hold to the contract a schema-driven client relies on:
`not_a_server_error` (no 5xx), `openai_error_shape` and `refused_only_on_meaning` (`tests/fuzz/checks.py`).
On a failure the CLI's report (each case with a curl line to reproduce it, and the run's seed) is the
test's message.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import Server

pytestmark = pytest.mark.fuzz

ROOT = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = 200
MIN_CASES = 300
CHECKS = ("not_a_server_error", "openai_error_shape", "refused_only_on_meaning")


def test_schema_driven_requests_keep_the_contract(server: Server, tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{server.url}/openapi.json",
        "--checks",
        ",".join(CHECKS),
        # A fixed value, never generated or mutated: the origin check has tests of its own.
        "--header",
        "X-Data-Origin: DE",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--continue-on-failure",
        # One request at a time: the fuzzed server's load shedding must not answer for it (503).
        "--workers",
        "1",
        "--request-timeout",
        "60",
        "--generation-database",
        "none",
        "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.checks", "PYTHONPATH": str(ROOT)}
    # Run elsewhere than the checkout: schemathesis and Hypothesis leave caches in their working folder.
    run = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    report = run.stdout + run.stderr
    print(report)
    assert run.returncode == 0, report
    generated = re.search(r"(\d+) generated", report)
    assert generated is not None, report
    assert int(generated.group(1)) >= MIN_CASES, report
