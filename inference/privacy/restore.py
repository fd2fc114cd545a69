"""Restoring the caller's values in a streamed answer, whatever the chunk boundaries."""

from __future__ import annotations

import re

from inference.privacy.vault import TOKEN, PseudonymVault

_MAX_TOKEN = 402
# What could still grow into a token: "<", "<PER", "<PERSON_", "<PERSON_1".
_PARTIAL = re.compile(r"<[A-Za-z0-9_-]{0,400}\Z")


class StreamRestorer:
    """Feed it the model's text as it comes; it returns text with tokens restored, holding back only a
    trailing fragment that may be the start of a token."""

    def __init__(self, vault: PseudonymVault) -> None:
        self._vault = vault
        self._held = ""

    def feed(self, text: str) -> str:
        if not len(self._vault):
            return text
        pending = self._held + text
        out: list[str] = []
        position = 0
        for match in TOKEN.finditer(pending):
            out.append(pending[position : match.start()])
            out.append(self._vault.original(match.group()) or match.group())
            position = match.end()
        tail = pending[position:]
        partial = _PARTIAL.search(tail)
        if partial is not None and len(partial.group()) < _MAX_TOKEN:
            self._held = partial.group()
            out.append(tail[: partial.start()])
        else:
            self._held = ""
            out.append(tail)
        return "".join(out)

    def flush(self) -> str:
        """The end of the answer: release what was held back."""
        held, self._held = self._held, ""
        return held
