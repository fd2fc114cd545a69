"""Schema-valid requests the fuzz step (`make fuzz`) once answered with a 5xx, kept as plain tests through
the shared real server: each is served."""

from __future__ import annotations

import pytest
from openai import OpenAI


@pytest.mark.parametrize("prompt", ["", ["", "Hi"]], ids=["empty", "empty-in-a-list"])
def test_an_empty_completion_prompt_starts_a_document(client: OpenAI, prompt: str | list[str]) -> None:
    completion = client.completions.create(model="eu-tiny", prompt=prompt, max_tokens=3)
    assert len(completion.choices) == (len(prompt) if isinstance(prompt, list) else 1)
    assert all(choice.finish_reason in ("stop", "length") for choice in completion.choices)
    assert completion.usage is not None
    # The empty prompt is the beginning-of-sequence token alone.
    assert completion.usage.prompt_tokens >= 1


@pytest.mark.parametrize("temperature", [5e-324, 1e-300, 1e-6])
def test_a_tiny_temperature_samples_greedily(client: OpenAI, temperature: float) -> None:
    messages = [{"role": "user", "content": "Where is my parcel?"}]
    tiny = client.chat.completions.create(
        model="eu-tiny",
        messages=messages,  # type: ignore[arg-type]
        max_tokens=6,
        temperature=temperature,
    )
    greedy = client.chat.completions.create(
        model="eu-tiny",
        messages=messages,  # type: ignore[arg-type]
        max_tokens=6,
        temperature=0,
    )
    assert tiny.choices[0].message.content == greedy.choices[0].message.content


@pytest.mark.parametrize("top_p", [5e-324, 1e-300])
def test_a_tiny_top_p_keeps_the_likeliest_token(client: OpenAI, top_p: float) -> None:
    messages = [{"role": "user", "content": "Where is my parcel?"}]
    nucleus = client.chat.completions.create(
        model="eu-tiny",
        messages=messages,  # type: ignore[arg-type]
        max_tokens=6,
        temperature=1,
        top_p=top_p,
    )
    greedy = client.chat.completions.create(
        model="eu-tiny",
        messages=messages,  # type: ignore[arg-type]
        max_tokens=6,
        temperature=0,
    )
    assert nucleus.choices[0].message.content == greedy.choices[0].message.content
