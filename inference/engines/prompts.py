"""Prompt token ids from a build's own tokenizer and chat template, shared by every engine so that
the same conversation becomes the same tokens whichever engine serves it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inference.builds.manifest import ModelBuild
from inference.engines.base import ChatTurn


class PromptEncoder:
    """Renders conversations with the build's pinned chat template and tokenizes prompts off the event loop.

    `tokenizer` is a Hugging Face tokenizer loaded from the verified build folder.
    """

    def __init__(self, tokenizer: Any, build: ModelBuild, folder: Path) -> None:
        self.tokenizer = tokenizer
        self._template = (folder / build.chat_template).read_text(encoding="utf-8")

    async def encode_chat(self, turns: Sequence[ChatTurn]) -> list[int]:
        """The conversation rendered by the chat template, ready for the assistant's reply, as token ids."""
        messages = [{"role": t.role, "content": t.content} for t in turns]
        return await asyncio.to_thread(self._encode_chat, messages)

    def _encode_chat(self, messages: list[dict[str, str]]) -> list[int]:
        text = self.tokenizer.apply_chat_template(
            messages, chat_template=self._template, tokenize=False, add_generation_prompt=True
        )
        # The template writes the special tokens itself; the tokenizer must not add a second BOS.
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    async def encode_text(self, text: str) -> list[int]:
        """A raw completion prompt as token ids. An empty prompt is the tokenizer's BOS token (its EOS where
        it has none), so that the model starts a document, as OpenAI's completions do."""
        return await asyncio.to_thread(self._encode_text, text)

    def _encode_text(self, text: str) -> list[int]:
        ids = list(self.tokenizer.encode(text, add_special_tokens=False))
        start = self.tokenizer.bos_token_id
        start = self.tokenizer.eos_token_id if start is None else start
        # Neither engine can run on no tokens at all.
        return [start] if not ids and start is not None else ids
