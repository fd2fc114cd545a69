"""A generation cut by `max_tokens` inside a multi-byte character ends before that character: the
answer never ends in U+FFFD for bytes that were never finished (the tiny model's byte-level tokens cut
characters often)."""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx
import pytest

from tests.servers import Server

PROMPT = "Größe 日本 🙂"


def _answer(server: Server, endpoint: str, max_tokens: int, stream: bool = False) -> str:
    body: dict[str, Any] = {"model": "eu-tiny", "max_tokens": max_tokens, "temperature": 0, "stream": stream}
    if endpoint == "chat":
        body["messages"] = [{"role": "user", "content": PROMPT}]
    else:
        body["prompt"] = PROMPT
    path = "/v1/chat/completions" if endpoint == "chat" else "/v1/completions"
    headers = {"X-Data-Origin": "DE"}
    if not stream:
        response = httpx.post(f"{server.url}{path}", json=body, headers=headers, timeout=60)
        assert response.status_code == 200, response.text
        choice = response.json()["choices"][0]
        return str(choice["message"]["content"] if endpoint == "chat" else choice["text"])
    pieces = []
    with httpx.stream("POST", f"{server.url}{path}", json=body, headers=headers, timeout=60) as response:
        for line in response.iter_lines():
            if not line.startswith("data: {"):
                continue
            for choice in json.loads(line.removeprefix("data: "))["choices"]:
                text = choice["delta"].get("content") if endpoint == "chat" else choice["text"]
                pieces.append(text or "")
    return "".join(pieces)


@pytest.mark.parametrize("endpoint", ["chat", "completions"])
def test_no_answer_ends_in_a_replacement_for_an_unfinished_character(server: Server, endpoint: str) -> None:
    answers = [_answer(server, endpoint, k) for k in range(1, 25)]
    unfinished = [k for k, text in enumerate(answers, start=1) if text.endswith("\ufffd")]
    assert unfinished == [], f"max_tokens {unfinished} end in U+FFFD"
    # Each answer is the start of the next: a cut character is dropped, never replaced by another.
    for shorter, longer in itertools.pairwise(answers):
        assert longer.startswith(shorter)


@pytest.mark.parametrize("endpoint", ["chat", "completions"])
def test_a_streamed_answer_is_the_same_as_the_whole_one(server: Server, endpoint: str) -> None:
    for k in (1, 2, 11, 12, 24):
        assert _answer(server, endpoint, k, stream=True) == _answer(server, endpoint, k)
