"""One full pass through the real server with `--engine vllm`, driven by the official openai client:
the same API, origin check, privacy stage and audit trail as with the transformers engine, plus the
LoRA adapter builds the region lists on its base build."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from inference.catalog import load_catalog
from tests.conftest import ConfigRoot, OpenAIFactory
from tests.servers import Server, metric, run_cli

pytestmark = pytest.mark.vllm

LABELS = {"model_name": "eu-tiny", "region": "eu-test"}


@pytest.fixture(scope="module")
def vllm_server(
    lora_config: ConfigRoot, vllm_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("vllm-logs") / "server.log"
    running = Server(
        ["--region", "eu-test", "--engine", "vllm", "--max-num-seqs", "8"], lora_config.env() | vllm_env, log
    )
    running.wait_ready(timeout=400)
    yield running
    assert running.stop() == 0


@pytest.fixture
def client(vllm_server: Server, make_client: OpenAIFactory) -> openai.OpenAI:
    return make_client(vllm_server.url, "DE")


def _references(config: ConfigRoot) -> dict[str, str]:
    catalog = load_catalog(config.regions_dir, config.models_dir)
    return {build_id: loaded.build.reference for build_id, loaded in catalog.pinned().items()}


def test_streamed_chat_with_usage_equals_the_non_streamed_one(client: openai.OpenAI) -> None:
    messages: Any = [{"role": "user", "content": "Where is my parcel?"}]
    whole = client.chat.completions.create(model="assistant", messages=messages, max_tokens=10, temperature=0)
    stream = client.chat.completions.create(
        model="assistant",
        messages=messages,
        max_tokens=10,
        temperature=0,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    content = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(content) > 1
    assert "".join(content) == whole.choices[0].message.content
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == [
        "length"
    ]
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens == 10  # type: ignore[union-attr]
    assert whole.model == "eu-tiny"


def test_models_lists_the_build_and_its_adapter_builds_only(
    client: openai.OpenAI, lora_config: ConfigRoot
) -> None:
    cards = {card.id: card.model_dump() for card in client.models.list()}
    assert set(cards) == {"eu-tiny", "assistant", "eu-tiny-lora", "support-tone"}
    assert cards["support-tone"]["root"] == "eu-tiny-lora"
    assert cards["support-tone"]["parent"] == "eu-tiny"
    assert cards["assistant"]["parent"] is None
    digest = _references(lora_config)["eu-tiny-lora"].split("@")[1]
    assert cards["eu-tiny-lora"]["digest"] == digest


def test_an_adapter_build_answers_under_its_own_name_and_digest(
    vllm_server: Server, client: openai.OpenAI, lora_config: ConfigRoot
) -> None:
    references = _references(lora_config)
    messages: Any = [{"role": "user", "content": "Where is my parcel?"}]
    outputs = {}
    for model in ("eu-tiny", "support-tone"):
        raw = client.chat.completions.with_raw_response.create(
            model=model, messages=messages, max_tokens=10, temperature=0
        )
        completion = raw.parse()
        outputs[model] = completion.choices[0].message.content
        served = "eu-tiny" if model == "eu-tiny" else "eu-tiny-lora"
        assert raw.headers["x-model-build"] == references[served]
        assert completion.model == served
        assert completion.system_fingerprint == references[served]
    assert outputs["support-tone"] != outputs["eu-tiny"]
    exported = run_cli("audit", "export", "--build", "eu-tiny-lora", env=lora_config.env(), timeout=60)
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert records
    assert {r["build_digest"] for r in records} == {references["eu-tiny-lora"].split(":")[1]}


@pytest.mark.parametrize("model", ["us-tiny", "us-tiny-lora", "eu-tiny-lora-typo"])
def test_another_regions_build_is_404(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "Hi"}], max_tokens=2
        )
    assert caught.value.code == "model_not_found"


def test_a_mismatched_origin_is_refused_before_the_engine(
    vllm_server: Server, make_client: OpenAIFactory
) -> None:
    with pytest.raises(openai.PermissionDeniedError) as caught:
        make_client(vllm_server.url, "US").chat.completions.create(
            model="assistant", messages=[{"role": "user", "content": "Hi"}], max_tokens=2
        )
    assert caught.value.code == "data_origin_mismatch"


def test_the_engine_sees_placeholders_and_the_caller_the_original(
    client: openai.OpenAI, tokenizer: Any
) -> None:
    completion = client.completions.create(
        model="assistant", prompt="Customer jane.doe@example.com asks", max_tokens=4, temperature=0, echo=True
    )
    assert completion.choices[0].text.startswith("Customer jane.doe@example.com asks")
    assert completion.usage is not None
    anonymized = "Customer <EMAIL_ADDRESS_1> asks"
    assert completion.usage.prompt_tokens == len(tokenizer.encode(anonymized, add_special_tokens=False))


def test_a_client_that_goes_away_aborts_its_generation(vllm_server: Server) -> None:
    labels = LABELS | {"finished_reason": "abort"}
    before = metric(vllm_server, "regional_llm:request_success_total", **labels)
    body = {"model": "eu-tiny", "prompt": "Hi", "max_tokens": 900, "stream": True}
    with httpx.stream(
        "POST", f"{vllm_server.url}/v1/completions", json=body, headers={"X-Data-Origin": "DE"}, timeout=60
    ) as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        for _ in range(6):
            next(lines)
    for _ in range(200):
        if metric(vllm_server, "regional_llm:request_success_total", **labels) > before:
            break
        threading.Event().wait(0.05)
    assert metric(vllm_server, "regional_llm:request_success_total", **labels) == before + 1
    assert metric(vllm_server, "regional_llm:num_requests_running", **LABELS) == 0


def test_concurrent_streams_all_complete(vllm_server: Server) -> None:
    results: list[tuple[int, int]] = []

    def stream_one(seed: int) -> None:
        body = {
            "model": "eu-tiny",
            "prompt": "Hi",
            "max_tokens": 16,
            "stream": True,
            "seed": seed,
            "stream_options": {"include_usage": True},
        }
        with httpx.stream(
            "POST",
            f"{vllm_server.url}/v1/completions",
            json=body,
            headers={"X-Data-Origin": "DE"},
            timeout=120,
        ) as response:
            events = [line for line in response.iter_lines() if line.startswith("data: {")]
        usage = json.loads(events[-1].removeprefix("data: "))["usage"]
        results.append((response.status_code, usage["completion_tokens"]))

    threads = [threading.Thread(target=stream_one, args=(seed,)) for seed in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert sorted(results) == [(200, 16)] * 12


def test_server_timing_splits_vllm_queueing_from_its_first_token(vllm_server: Server) -> None:
    body = {"model": "eu-tiny", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4}
    response = httpx.post(
        f"{vllm_server.url}/v1/chat/completions", json=body, headers={"X-Data-Origin": "DE"}, timeout=60
    )
    assert response.status_code == 200
    stages = dict(part.strip().split(";dur=") for part in response.headers["server-timing"].split(","))
    expected = [
        "origin",
        "pii_detect",
        "pii_anonymize",
        "tokenize",
        "queue",
        "first_token",
        "restore",
        "audit",
        "total",
    ]
    assert list(stages) == expected
    assert float(stages["first_token"]) > 0
    assert float(stages["queue"]) + float(stages["first_token"]) <= float(stages["total"])


def test_the_bound_holds_in_front_of_vllms_own_queue(vllm_server: Server) -> None:
    ready = httpx.get(f"{vllm_server.url}/ready", timeout=10).json()
    # --max-num-seqs 8: vLLM runs 8, the server holds 24 (twice as many waiting, in vLLM's queue).
    assert (ready["max_num_queued_reqs"], ready["in_flight"], ready["saturated"]) == (24, 0, False)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def one() -> None:
        body = {"model": "eu-tiny", "prompt": "Hi", "max_tokens": 600}
        answer = httpx.post(
            f"{vllm_server.url}/v1/completions", json=body, headers={"X-Data-Origin": "DE"}, timeout=300
        )
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=one) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    statuses = sorted(a.status_code for a in answers)
    assert len(statuses) == 32
    assert set(statuses) == {200, 503}
    assert statuses.count(200) >= 24
    refused = [a for a in answers if a.status_code == 503]
    assert {a.json()["error"]["code"] for a in refused} == {"server_overloaded"}
    assert all(a.headers["retry-after"] == "1" for a in refused)
    assert httpx.get(f"{vllm_server.url}/ready", timeout=10).json()["in_flight"] == 0
