"""The transformers engine on the generated tiny model: correctness against transformers' own
`generate`, streaming, seeds, stops, abort, concurrency and a responsive event loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inference.catalog import load_catalog
from inference.engines.base import ChatTurn, EngineConfig, GenerationDelta, GenerationRequest, SamplingParams
from inference.engines.registry import create_engine
from inference.engines.transformers_engine import TransformersEngine
from tests.conftest import ConfigRoot
from tests.tiny_model import build_tiny_model

PROMPT = [ChatTurn("user", "Where is my order 4711?")]


def _engine(config: ConfigRoot, max_num_seqs: int, folder: Path | None = None) -> TransformersEngine:
    build = load_catalog(config.regions_dir, config.models_dir).builds["eu-tiny"].build
    engine = create_engine(
        "transformers",
        EngineConfig(build=build, folder=folder or config.model_dir, threads=1, max_num_seqs=max_num_seqs),
    )
    assert isinstance(engine, TransformersEngine)
    asyncio.run(engine.start())
    return engine


@pytest.fixture(scope="module")
def engine(config_root: ConfigRoot) -> Iterator[TransformersEngine]:
    started = _engine(config_root, max_num_seqs=2)
    yield started
    asyncio.run(started.shutdown())


@pytest.fixture(scope="module")
def ending_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A variant of the tiny model that ends most generations with its end-of-sequence token."""
    return build_tiny_model(tmp_path_factory.mktemp("ending") / "model", rare_eos=False)


@pytest.fixture(scope="module", params=["rare-eos", "ending"])
def pair(
    request: pytest.FixtureRequest, config_root: ConfigRoot, ending_model_dir: Path
) -> Iterator[tuple[TransformersEngine, Any, Any]]:
    """An engine and, as an independent reference, the same model and tokenizer loaded by transformers."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = config_root.model_dir if request.param == "rare-eos" else ending_model_dir
    started = _engine(config_root, max_num_seqs=2, folder=folder)
    yield started, AutoModelForCausalLM.from_pretrained(folder), AutoTokenizer.from_pretrained(folder)
    asyncio.run(started.shutdown())


async def _collect(
    engine: TransformersEngine, prompt: list[int], params: SamplingParams
) -> list[GenerationDelta]:
    return [d async for d in engine.generate(GenerationRequest("t", tuple(prompt), params))]


def _generate(
    engine: TransformersEngine, params: SamplingParams, turns: list[ChatTurn] = PROMPT
) -> tuple[str, int, str]:
    async def go() -> tuple[str, int, str]:
        prompt = await engine.encode_chat(turns)
        deltas = await _collect(engine, prompt, params)
        assert all(d.finish_reason is None for d in deltas[:-1])
        return (
            "".join(d.text for d in deltas),
            sum(d.new_tokens for d in deltas),
            str(deltas[-1].finish_reason),
        )

    return asyncio.run(go())


def test_chat_prompt_uses_the_builds_template(pair: tuple[TransformersEngine, Any, Any]) -> None:
    engine, _, tokenizer = pair
    ids = asyncio.run(engine.encode_chat([ChatTurn("system", "Be brief."), ChatTurn("user", "Hi")]))
    expected = (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    )
    assert ids == tokenizer.encode(expected, add_special_tokens=False)


@pytest.mark.parametrize(
    "question", ["Where is my order 4711?", "Wo ist meine Bestellung?", "Größe 🙂", "Hi"]
)
def test_greedy_output_matches_transformers_generate(
    pair: tuple[TransformersEngine, Any, Any], question: str
) -> None:
    import torch

    engine, model, tokenizer = pair
    turns = [ChatTurn("user", question)]
    prompt = asyncio.run(engine.encode_chat(turns))
    with torch.inference_mode():
        output = model.generate(torch.tensor([prompt]), max_new_tokens=300, do_sample=False)
    generated = output[0, len(prompt) :].tolist()
    text, tokens, finish = _generate(engine, SamplingParams(max_tokens=300, temperature=0), turns)
    assert tokens == len(generated)
    # A character the last tokens leave unfinished is dropped, where transformers shows it as U+FFFD.
    assert text == tokenizer.decode(generated, skip_special_tokens=True).rstrip("\ufffd")
    assert finish == ("stop" if generated[-1] == tokenizer.eos_token_id else "length")


def test_the_end_of_sequence_token_ends_generation(config_root: ConfigRoot, ending_model_dir: Path) -> None:
    engine = _engine(config_root, max_num_seqs=1, folder=ending_model_dir)
    try:
        runs = [_generate(engine, SamplingParams(max_tokens=300, seed=seed)) for seed in range(16)]
    finally:
        asyncio.run(engine.shutdown())
    ended = [(text, tokens) for text, tokens, finish in runs if finish == "stop"]
    assert len(ended) >= 4
    assert all(tokens < 300 for _, tokens in ended)
    assert not any("<|im_end|>" in text for text, _ in ended)


def test_max_tokens_ends_with_length(engine: TransformersEngine) -> None:
    text, tokens, finish = _generate(engine, SamplingParams(max_tokens=5, temperature=0))
    assert (tokens, finish) == (5, "length")
    assert text


def test_seeded_sampling_is_reproducible(engine: TransformersEngine) -> None:
    runs = {
        seed: _generate(engine, SamplingParams(max_tokens=20, temperature=1.0, seed=seed))
        for seed in (1, 2, 3)
    }
    assert _generate(engine, SamplingParams(max_tokens=20, temperature=1.0, seed=2)) == runs[2]
    assert len({text for text, _, _ in runs.values()}) >= 2


def test_top_p_and_penalties_change_the_output(engine: TransformersEngine) -> None:
    greedy = _generate(engine, SamplingParams(max_tokens=30, temperature=0))
    penalized = _generate(engine, SamplingParams(max_tokens=30, temperature=0, frequency_penalty=2.0))
    assert penalized != greedy
    tiny_nucleus = _generate(engine, SamplingParams(max_tokens=30, temperature=1.0, top_p=1e-6, seed=7))
    assert tiny_nucleus == greedy  # a nucleus of one token is greedy decoding


def test_stop_string_ends_output_before_it(engine: TransformersEngine) -> None:
    full, _, _ = _generate(engine, SamplingParams(max_tokens=40, temperature=0))
    stop = full[6:9]
    text, _, finish = _generate(engine, SamplingParams(max_tokens=40, temperature=0, stop=(stop,)))
    assert finish == "stop"
    assert text == full[: full.find(stop)]


def test_closing_the_stream_aborts_the_request(engine: TransformersEngine) -> None:
    steps = 0
    model = engine._model
    original = model.forward

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal steps
        steps += 1
        return original(*args, **kwargs)

    async def go() -> int:
        prompt = await engine.encode_chat(PROMPT)
        stream = engine.generate(GenerationRequest("abort", tuple(prompt), SamplingParams(max_tokens=900)))
        received = 0
        async for _ in stream:
            received += 1
            if received == 3:
                break
        await stream.aclose()
        for _ in range(200):
            if engine.stats().running == 0:
                break
            await asyncio.sleep(0.01)
        return received

    model.forward = counting
    try:
        received = asyncio.run(go())
    finally:
        model.forward = original
    assert engine.stats().running == 0
    assert steps <= received + 2  # stopped within a step or two, not after 900 tokens


def test_concurrent_requests_interleave_and_keep_the_loop_responsive(engine: TransformersEngine) -> None:
    async def timed(prompt: list[int], seed: int) -> list[float]:
        params = SamplingParams(max_tokens=150, temperature=1.0, seed=seed)
        stamps = []
        async for _ in engine.generate(GenerationRequest(f"c{seed}", tuple(prompt), params)):
            stamps.append(time.perf_counter())
        return stamps

    async def go() -> tuple[list[float], list[float], float, float]:
        prompt = await engine.encode_chat(PROMPT)
        ticking = True
        gaps: list[float] = []

        async def ticker() -> None:
            last = time.perf_counter()
            while ticking:
                await asyncio.sleep(0.002)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        tick = asyncio.create_task(ticker())
        started = time.perf_counter()
        first, second = await asyncio.gather(timed(prompt, 1), timed(prompt, 2))
        elapsed = time.perf_counter() - started
        ticking = False
        await tick
        return first, second, max(gaps), elapsed

    first, second, worst_gap, elapsed = asyncio.run(go())
    assert len(first) == len(second) == 150
    # Both ran at once: neither waited for the other to finish.
    assert second[0] < first[-1]
    assert first[0] < second[-1]
    # A generation run on the event loop itself would stall the ticker for the whole run.
    assert worst_gap < elapsed / 4


def test_requests_beyond_max_num_seqs_wait(config_root: ConfigRoot) -> None:
    import threading

    single = _engine(config_root, max_num_seqs=1)
    gate = threading.Event()
    original = single._model.forward

    def gated(*args: Any, **kwargs: Any) -> Any:
        gate.wait(30)  # hold the worker inside its first step until the test has looked
        return original(*args, **kwargs)

    async def until(condition: Any) -> None:
        for _ in range(500):
            if condition():
                return
            await asyncio.sleep(0.01)

    async def go() -> tuple[tuple[int, int], tuple[int, int], list[str]]:
        prompt = tuple(await single.encode_chat(PROMPT))
        first = single.generate(GenerationRequest("a", prompt, SamplingParams(max_tokens=3)))
        second = single.generate(GenerationRequest("b", prompt, SamplingParams(max_tokens=3)))
        first_task = asyncio.create_task(anext(first))
        await until(lambda: single.stats().running == 1)
        second_task = asyncio.create_task(anext(second))
        await until(lambda: single.stats().waiting == 1)
        held = single.stats()
        gate.set()
        await asyncio.gather(first_task, second_task)
        finish = [str([d async for d in s][-1].finish_reason) for s in (first, second)]
        await until(lambda: single.stats().running == 0)
        done = single.stats()
        return (held.running, held.waiting), (done.running, done.waiting), finish

    single._model.forward = gated
    try:
        held, done, finish = asyncio.run(go())
    finally:
        gate.set()
        single._model.forward = original
        asyncio.run(single.shutdown())
    assert held == (1, 1)
    assert done == (0, 0)
    assert finish == ["length", "length"]


def test_a_stopped_engine_refuses_work(config_root: ConfigRoot) -> None:
    from inference.errors import EngineUnavailable

    stopped = _engine(config_root, max_num_seqs=1)
    asyncio.run(stopped.shutdown())
    assert not stopped.stats().healthy

    async def go() -> None:
        await anext(stopped.generate(GenerationRequest("x", (1, 2), SamplingParams(max_tokens=2))))

    with pytest.raises(EngineUnavailable):
        asyncio.run(go())
