"""The vLLM engine in process, on the real vLLM (its CPU build here): streaming, sampling mapped
faithfully, abort when the consumer goes away, LoRA adapter builds, concurrent requests.

One engine serves the whole module (starting it takes about half a minute)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inference.builds.verify import verify_build
from inference.catalog import load_catalog
from inference.engines.base import (
    BuildRejected,
    ChatTurn,
    EngineConfig,
    GenerationDelta,
    GenerationRequest,
    SamplingParams,
    VerifiedAdapter,
)
from tests.conftest import ConfigRoot
from tests.engines.conftest import EngineLoop
from tests.tiny_model import adapter_manifest_yaml, build_tiny_adapter

pytestmark = pytest.mark.vllm

PROMPT_TURNS = [ChatTurn("user", "Where is my order?")]


def _config(config: ConfigRoot, adapters: bool = True) -> EngineConfig:
    catalog = load_catalog(config.regions_dir, config.models_dir)
    assert catalog.errors == []
    region = catalog.regions["eu-test"]
    loaded = catalog.build_for(region, None)
    verified = tuple(
        VerifiedAdapter(a.build, verify_build(a, config.cache_dir))
        for a in catalog.adapters_for(region, loaded.build)
    )
    return EngineConfig(
        build=loaded.build,
        folder=verify_build(loaded, config.cache_dir),
        threads=1,
        max_num_seqs=8,
        adapters=verified if adapters else (),
    )


@pytest.fixture(scope="module")
def engine(lora_config: ConfigRoot, engine_loop: EngineLoop, vllm_env: dict[str, str]) -> Iterator[Any]:
    from inference.engines.vllm_engine import VllmEngine

    started = VllmEngine(_config(lora_config))
    engine_loop.run(started.start())
    yield started
    engine_loop.run(started.shutdown())


async def _collect(engine: Any, request: GenerationRequest) -> list[GenerationDelta]:
    return [delta async for delta in engine.generate(request)]


def _request(
    prompt: list[int], request_id: str, adapter: str | None = None, **sampling: Any
) -> GenerationRequest:
    params = SamplingParams(**({"max_tokens": 12, "temperature": 0.0} | sampling))
    return GenerationRequest(request_id, tuple(prompt), params, adapter)


@pytest.fixture(scope="module")
def prompt(engine: Any, engine_loop: EngineLoop) -> list[int]:
    ids: list[int] = engine_loop.run(engine.encode_chat(PROMPT_TURNS))
    return ids


def test_chat_prompt_is_the_builds_template_rendered(
    engine: Any, engine_loop: EngineLoop, tokenizer: Any
) -> None:
    ids = engine_loop.run(engine.encode_chat([ChatTurn("system", "Be brief."), ChatTurn("user", "Hi")]))
    assert (
        tokenizer.decode(ids)
        == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    )


def test_streams_deltas_until_max_tokens(engine: Any, engine_loop: EngineLoop, prompt: list[int]) -> None:
    deltas = engine_loop.run(_collect(engine, _request(prompt, "stream-1", max_tokens=12)))
    assert len(deltas) > 1, "the output came as one piece, not streamed"
    assert sum(d.new_tokens for d in deltas) == 12
    assert [d.finish_reason for d in deltas[:-1]] == [None] * (len(deltas) - 1)
    assert deltas[-1].finish_reason == "length"


def test_greedy_output_matches_the_transformers_engine(
    engine: Any, engine_loop: EngineLoop, prompt: list[int], lora_config: ConfigRoot
) -> None:
    from inference.engines.transformers_engine import TransformersEngine

    reference = TransformersEngine(_config(lora_config, adapters=False))
    asyncio.run(reference.start())
    try:
        expected = asyncio.run(_collect(reference, _request(prompt, "ref", max_tokens=8)))
    finally:
        asyncio.run(reference.shutdown())
    got = engine_loop.run(_collect(engine, _request(prompt, "same-as-ref", max_tokens=8)))
    # The same text, to the last character: both drop a character the last token left unfinished.
    assert "".join(d.text for d in got) == "".join(d.text for d in expected)
    assert sum(d.new_tokens for d in got) == sum(d.new_tokens for d in expected) == 8


def test_an_output_cut_inside_a_character_never_ends_in_a_replacement(
    engine: Any, engine_loop: EngineLoop, prompt: list[int]
) -> None:
    texts = [
        "".join(d.text for d in engine_loop.run(_collect(engine, _request(prompt, f"cut-{k}", max_tokens=k))))
        for k in range(1, 25)
    ]
    assert [k for k, text in enumerate(texts, start=1) if text.endswith("\ufffd")] == []
    for shorter, longer in itertools.pairwise(texts):
        assert longer.startswith(shorter)


def test_stop_string_ends_the_output_before_it(
    engine: Any, engine_loop: EngineLoop, prompt: list[int]
) -> None:
    full = "".join(d.text for d in engine_loop.run(_collect(engine, _request(prompt, "full", max_tokens=24))))
    # Two letters from the second half: a stop string a client would write (no replacement characters).
    stop = next(full[i : i + 2] for i in range(len(full) // 2, len(full) - 1) if full[i : i + 2].isalpha())
    assert full.index(stop) > 0
    deltas = engine_loop.run(_collect(engine, _request(prompt, "stopped", max_tokens=24, stop=(stop,))))
    assert "".join(d.text for d in deltas) == full[: full.index(stop)]
    assert deltas[-1].finish_reason == "stop"


def test_seed_makes_sampling_reproducible(engine: Any, engine_loop: EngineLoop, prompt: list[int]) -> None:
    def sample(request_id: str, seed: int) -> str:
        deltas = engine_loop.run(
            _collect(engine, _request(prompt, request_id, temperature=1.0, seed=seed, max_tokens=16))
        )
        return "".join(d.text for d in deltas)

    assert sample("seed-a", 11) == sample("seed-b", 11)
    assert len({sample(f"seed-{n}", n) for n in range(3)}) > 1


def test_lora_adapter_changes_the_output(engine: Any, engine_loop: EngineLoop, prompt: list[int]) -> None:
    base = engine_loop.run(_collect(engine, _request(prompt, "base", max_tokens=12)))
    adapted = engine_loop.run(
        _collect(engine, _request(prompt, "adapted", adapter="eu-tiny-lora", max_tokens=12))
    )
    again = engine_loop.run(
        _collect(engine, _request(prompt, "adapted-2", adapter="eu-tiny-lora", max_tokens=12))
    )
    text = ["".join(d.text for d in deltas) for deltas in (base, adapted, again)]
    assert text[1] != text[0]
    assert text[2] == text[1]


def test_closing_the_stream_aborts_the_request_in_vllm(
    engine: Any, engine_loop: EngineLoop, prompt: list[int]
) -> None:
    async def read_two_then_leave() -> tuple[int, int]:
        stream = engine.generate(_request(prompt, "abandoned", max_tokens=900, temperature=1.0))
        await anext(stream)
        await anext(stream)
        during = engine._engine.get_num_unfinished_requests()
        await stream.aclose()
        for _ in range(200):
            if engine._engine.get_num_unfinished_requests() == 0:
                break
            await asyncio.sleep(0.01)
        return during, engine._engine.get_num_unfinished_requests()

    during, after = engine_loop.run(read_two_then_leave())
    assert during == 1
    assert after == 0
    stats = engine.stats()
    assert (stats.running, stats.waiting, stats.healthy) == (0, 0, True)


def test_concurrent_requests_each_get_their_own_output(
    engine: Any, engine_loop: EngineLoop, prompt: list[int]
) -> None:
    prompts = [prompt, prompt[:-3], prompt + prompt[-2:], prompt[2:]]
    solo = [engine_loop.run(_collect(engine, _request(p, f"solo-{i}"))) for i, p in enumerate(prompts)]

    async def together() -> list[list[GenerationDelta]]:
        return list(
            await asyncio.gather(
                *(_collect(engine, _request(p, f"batch-{i}")) for i, p in enumerate(prompts * 2))
            )
        )

    batched = engine_loop.run(together())
    texts = ["".join(d.text for d in deltas) for deltas in batched]
    assert texts == ["".join(d.text for d in deltas) for deltas in solo * 2]
    assert all(sum(d.new_tokens for d in deltas) == 12 for deltas in batched)


def test_an_adapter_above_the_rank_limit_is_rejected_before_vllm_starts(
    lora_config: ConfigRoot, tmp_path: Path
) -> None:
    from inference.engines.vllm_engine import VllmEngine

    config = _config(lora_config)
    wide = build_tiny_adapter(tmp_path / "wide", lora_config.model_dir, rank=16)
    adapter_manifest_yaml(wide, "eu-wide", "EU", "eu-tiny")
    rejected = VllmEngine(
        EngineConfig(
            build=config.build,
            folder=config.folder,
            threads=1,
            max_num_seqs=1,
            adapters=(VerifiedAdapter(config.adapters[0].build, wide),),
        )
    )
    with pytest.raises(
        BuildRejected, match=r"adapter build eu-tiny-lora has rank 16, above engine.vllm.max_lora_rank \(8\)"
    ):
        asyncio.run(rejected.start())
