"""The privacy stage in the request path: refusals, what the engine sees, restored answers, metrics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from inference.api.app import create_app
from inference.catalog import load_catalog
from inference.engines.base import ChatTurn, EngineStats, GenerationDelta, GenerationRequest
from inference.privacy.detector import PiiDetector
from inference.privacy.screen import PrivacyScreen
from tests.conftest import ConfigRoot, start_context
from tests.servers import Server

PROMPT = "Hallo, ich bin Zbigniew Wróblewski, zbigniew@example.pl, IBAN DE89 3704 0044 0532 0130 00."


def test_a_blocked_type_is_refused_with_422(server: Server, client: openai.OpenAI) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as raised:
        client.chat.completions.create(
            model="eu-tiny",
            messages=[{"role": "user", "content": "Meine Karte 4111 1111 1111 1111 und SSN 536-22-1234"}],
        )
    assert raised.value.code == "pii_blocked"
    assert raised.value.body == {
        "message": "This request contains data that region eu-test does not accept: CREDIT_CARD, US_SSN. "
        "Remove it and send the request again.",
        "type": "invalid_request_error",
        "param": "messages",
        "code": "pii_blocked",
    }
    assert "4111 1111" not in raised.value.response.text
    assert "4111 1111" not in server.output()


def test_the_engine_sees_only_placeholders(
    client: openai.OpenAI, config_root: ConfigRoot, tokenizer: Any
) -> None:
    response = client.chat.completions.create(
        model="eu-tiny",
        messages=[{"role": "user", "content": PROMPT}],
        max_tokens=2,
        extra_body={"pii_context": {"PERSON": ["Zbigniew Wróblewski"]}},
    )
    # What the model saw, computed independently: the region's policy applied to the same text.
    region = load_catalog(config_root.regions_dir, config_root.models_dir).regions["eu-test"].policy
    screened = PrivacyScreen(PiiDetector(), region.privacy, None).screen(
        [PROMPT], {"PERSON": ["Zbigniew Wróblewski"]}, region_id="eu-test"
    )
    assert screened.texts[0].text == "Hallo, ich bin <PERSON_1>, <EMAIL_ADDRESS_1>, IBAN <IBAN_CODE_1>."
    rendered = f"<|im_start|>user\n{screened.texts[0].text}<|im_end|>\n<|im_start|>assistant\n"
    raw = f"<|im_start|>user\n{PROMPT}<|im_end|>\n<|im_start|>assistant\n"
    assert response.usage is not None
    assert response.usage.prompt_tokens == len(tokenizer.encode(rendered, add_special_tokens=False))
    assert response.usage.prompt_tokens != len(tokenizer.encode(raw, add_special_tokens=False))


def test_pii_metrics_count_types_and_actions(server: Server, client: openai.OpenAI) -> None:
    def count() -> float:
        text = httpx.get(f"{server.url}/metrics", timeout=10).text
        lines = [ln for ln in text.splitlines() if ln.startswith("regional_llm:pii_entities_total{")]
        return sum(
            float(ln.rsplit(" ", 1)[1])
            for ln in lines
            if 'entity_type="IBAN_CODE"' in ln and 'action="pseudonymize"' in ln
        )

    before = count()
    client.completions.create(model="eu-tiny", prompt=[PROMPT, PROMPT], max_tokens=1)
    assert count() == before + 2
    assert "Wr" + "óblewski" not in httpx.get(f"{server.url}/metrics", timeout=10).text


@pytest.mark.parametrize(
    ("context", "param"),
    [({"person": ["x"]}, "pii_context"), ({"PERSON": [""]}, "pii_context.PERSON[0]")],
)
def test_a_malformed_pii_context_is_a_400(server: Server, context: dict[str, Any], param: str) -> None:
    response = httpx.post(
        f"{server.url}/v1/chat/completions",
        json={"model": "eu-tiny", "messages": [{"role": "user", "content": "hi"}], "pii_context": context},
        headers={"X-Data-Origin": "DE"},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


class EchoEngine:
    """Answers with a fixed text, in chunks that split its placeholders, and records what it was given."""

    def __init__(self, answer: str, chunk: int) -> None:
        self.answer = answer
        self.chunk = chunk
        self.seen: list[str] = []

    async def start(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def stats(self) -> EngineStats:
        return EngineStats(running=0, waiting=0, healthy=True)

    async def encode_chat(self, turns: Sequence[ChatTurn]) -> list[int]:
        self.seen.extend(t.content for t in turns)
        return [1, 2, 3]

    async def encode_text(self, text: str) -> list[int]:
        self.seen.append(text)
        return [1, 2]

    async def generate(self, request: GenerationRequest) -> AsyncGenerator[GenerationDelta, None]:
        pieces = [self.answer[i : i + self.chunk] for i in range(0, len(self.answer), self.chunk)]
        for index, piece in enumerate(pieces):
            await asyncio.sleep(0)
            yield GenerationDelta(piece, 1, "stop" if index == len(pieces) - 1 else None)


async def _client(config: ConfigRoot, engine: EchoEngine) -> openai.AsyncOpenAI:
    import tempfile

    context = await start_context(config, engine, Path(tempfile.mkdtemp()))
    return openai.AsyncOpenAI(
        base_url="http://regional-llm.test/v1",
        api_key="x",
        default_headers={"X-Data-Origin": "DE"},
        http_client=httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(context))),
        max_retries=0,
    )


ANSWER = "Sehr geehrter <PERSON_1>, wir erstatten auf <IBAN_CODE_1>; Antwort an <EMAIL_ADDRESS_1>. <PERSON_9>"
RESTORED = (
    "Sehr geehrter Zbigniew Wróblewski, wir erstatten auf DE89 3704 0044 0532 0130 00; "
    "Antwort an zbigniew@example.pl. <PERSON_9>"
)


@pytest.mark.parametrize("chunk", [1, 3, 7, 200])
def test_answers_are_restored_for_the_caller_whatever_the_chunks(config_root: ConfigRoot, chunk: int) -> None:
    engine = EchoEngine(ANSWER, chunk)

    async def go() -> tuple[str, str, str]:
        async with await _client(config_root, engine) as client:
            messages = [{"role": "user", "content": PROMPT}]
            known = {"pii_context": {"PERSON": ["Zbigniew Wróblewski"]}}
            whole = await client.chat.completions.create(model="eu-tiny", messages=messages, extra_body=known)
            stream = await client.chat.completions.create(
                model="eu-tiny", messages=messages, stream=True, extra_body=known
            )
            streamed = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
            completion = await client.completions.create(
                model="eu-tiny", prompt=PROMPT, stream=True, extra_body=known
            )
            completed = "".join([c.choices[0].text async for c in completion])
            return whole.choices[0].message.content or "", streamed, completed

    whole, streamed, completed = asyncio.run(go())
    assert whole == streamed == completed == RESTORED
    assert all("Wróblewski" not in seen and "0532" not in seen for seen in engine.seen)
