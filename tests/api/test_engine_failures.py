"""How engine failures reach the client: in the OpenAI error shape, as an HTTP status before the first
token and as an error event inside a stream after it. The engine is a fake here, to fail on cue; the
app, the middleware and the official client are real."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from pathlib import Path

import httpx
import openai
import pytest

from inference.api.app import create_app
from inference.catalog import load_catalog
from inference.engines.base import ChatTurn, EngineStats, GenerationDelta, GenerationRequest
from inference.errors import EngineFailure, EngineUnavailable
from tests.conftest import ConfigRoot, start_context


class FailingEngine:
    """Yields `good` deltas, then fails with `error`."""

    def __init__(self, good: int, error: Exception, healthy: bool = True) -> None:
        self.good = good
        self.error = error
        self.healthy = healthy

    async def start(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def stats(self) -> EngineStats:
        return EngineStats(running=0, waiting=0, healthy=self.healthy)

    async def encode_chat(self, turns: Sequence[ChatTurn]) -> list[int]:
        return [1, 2, 3]

    async def encode_text(self, text: str) -> list[int]:
        return [1, 2]

    async def generate(self, request: GenerationRequest) -> AsyncGenerator[GenerationDelta, None]:
        for _ in range(self.good):
            yield GenerationDelta("ok ", 1)
            await asyncio.sleep(0)
        raise self.error


async def _client(config: ConfigRoot, engine: FailingEngine) -> openai.AsyncOpenAI:
    import tempfile

    context = await start_context(config, engine, Path(tempfile.mkdtemp()))
    transport = httpx.ASGITransport(app=create_app(context))
    return openai.AsyncOpenAI(
        base_url="http://regional-llm.test/v1",
        api_key="x",
        default_headers={"X-Data-Origin": "DE"},
        http_client=httpx.AsyncClient(transport=transport, base_url="http://regional-llm.test"),
        max_retries=0,
    )


CHAT = {"model": "eu-tiny", "messages": [{"role": "user", "content": "Hi"}]}


def test_failure_before_the_first_token_is_an_http_error(config_root: ConfigRoot) -> None:
    async def go() -> openai.APIStatusError:
        async with await _client(
            config_root, FailingEngine(0, EngineFailure("The engine failed (request x)."))
        ) as c:
            with pytest.raises(openai.InternalServerError) as raised:
                await c.chat.completions.create(**CHAT, stream=True)  # type: ignore[call-overload]
            return raised.value

    error = asyncio.run(go())
    assert error.status_code == 500
    assert error.code == "engine_error"
    assert error.response.headers["x-served-region"] == "eu-test"


def test_failure_mid_stream_is_an_error_event(config_root: ConfigRoot) -> None:
    async def go() -> tuple[list[str], openai.APIError]:
        async with await _client(
            config_root, FailingEngine(3, EngineFailure("The engine failed (request y)."))
        ) as c:
            stream = await c.chat.completions.create(**CHAT, stream=True)  # type: ignore[call-overload]
            received: list[str] = []

            async def consume() -> None:
                async for chunk in stream:
                    received.append(chunk.choices[0].delta.content or "")

            with pytest.raises(openai.APIError) as raised:
                await consume()
            return received, raised.value

    received, error = asyncio.run(go())
    assert "".join(received) == "ok ok ok "
    assert error.message == "The engine failed (request y)."
    assert error.body == {
        "message": "The engine failed (request y).",
        "type": "server_error",
        "param": None,
        "code": "engine_error",
    }


def test_an_unexpected_exception_is_a_500_without_details(config_root: ConfigRoot) -> None:
    async def go() -> openai.APIStatusError:
        secret = RuntimeError("prompt text Quackenbush")
        async with await _client(config_root, FailingEngine(0, secret)) as c:
            with pytest.raises(openai.InternalServerError) as raised:
                await c.chat.completions.create(**CHAT)  # type: ignore[call-overload]
            return raised.value

    error = asyncio.run(go())
    assert error.code == "internal_error"
    assert "Quackenbush" not in error.response.text
    assert error.response.headers["x-model-build"].startswith("eu-tiny@sha256:")


def test_an_unavailable_engine_is_503_and_not_ready(config_root: ConfigRoot) -> None:
    async def go() -> tuple[openai.APIStatusError, httpx.Response]:
        engine = FailingEngine(0, EngineUnavailable("The engine is not running; retry on another replica."))
        engine.healthy = False
        async with await _client(config_root, engine) as c:
            with pytest.raises(openai.APIStatusError) as raised:
                await c.chat.completions.create(**CHAT)  # type: ignore[call-overload]
            ready = await c._client.get("http://regional-llm.test/ready")
            return raised.value, ready

    error, ready = asyncio.run(go())
    assert error.status_code == 503
    assert error.code == "engine_unavailable"
    assert error.response.headers["retry-after"] == "5"
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"


def test_a_failing_forward_pass_surfaces_as_engine_error(
    config_root: ConfigRoot, caplog: pytest.LogCaptureFixture
) -> None:
    from inference.engines.base import EngineConfig, SamplingParams
    from inference.engines.transformers_engine import TransformersEngine

    build = load_catalog(config_root.regions_dir, config_root.models_dir).builds["eu-tiny"].build
    engine = TransformersEngine(
        EngineConfig(build=build, folder=Path(config_root.model_dir), threads=1, max_num_seqs=1)
    )
    asyncio.run(engine.start())
    original = engine._model.forward
    calls = 0

    def breaking(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls > 3:
            raise ValueError("cannot handle input 'Quackenbush'")
        return original(*args, **kwargs)

    async def go() -> list[GenerationDelta]:
        received: list[GenerationDelta] = []
        request = GenerationRequest("broken", (1, 2, 3), SamplingParams(max_tokens=50))

        async def consume() -> None:
            async for delta in engine.generate(request):
                received.append(delta)

        with pytest.raises(EngineFailure, match=r"request broken"):
            await consume()
        return received

    engine._model.forward = breaking
    try:
        received = asyncio.run(go())
    finally:
        asyncio.run(engine.shutdown())
    assert len(received) == 3
    assert "generation failed for request broken: ValueError at" in caplog.text
    assert "Quackenbush" not in caplog.text
