"""The GPU check's procedure, on the CPU with a tiny shape: the bare engine and our server measured in
one run, so that the script stays runnable for a GPU run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.vllm


def test_the_check_measures_the_bare_engine_and_our_server(tmp_path: Path, vllm_env: dict[str, str]) -> None:
    import os

    command = [
        sys.executable,
        "-m",
        "inference.bench.vllm_check",
        "--out",
        str(tmp_path),
        "--shape",
        "tiny",
        "--concurrency",
        "1,4",
        "--num-prompts",
        "8",
        "--input-len",
        "32",
        "--output-len",
        "8",
    ]
    result = subprocess.run(
        command, env=os.environ | vllm_env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "vllm-check.json").read_text())
    assert report["device"] == "CPU"
    assert [level["concurrency"] for level in report["levels"]] == [1, 4]
    for level in report["levels"]:
        for side in ("bare", "ours"):
            values = level[side]
            assert values["completed"] == 8
            assert values["failed"] == 0
            # Prompts of exactly 32 tokens: one word per token of the generated word-level tokenizer.
            assert values["total_input_tokens"] == 8 * 32
            assert 8 <= values["total_output_tokens"] <= 8 * 8
        share = level["ours"]["output_throughput"] / level["bare"]["output_throughput"]
        assert level["comparison"]["throughput_share"] == pytest.approx(share)
    assert "ours/bare" in result.stdout
