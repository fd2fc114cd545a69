"""The per-request map between replacement tokens and the caller's values.

It lives in memory for one request (or one `anonymize` run) and is never logged or stored: it holds
exactly the values the rest of the service must not see.
"""

from __future__ import annotations

import re
from collections import defaultdict

TOKEN = re.compile(r"<[A-Z][A-Za-z0-9_-]{2,400}>")


class PseudonymVault:
    """Consistent placeholders per (type, value), and every token that can be turned back."""

    def __init__(self) -> None:
        self._by_value: dict[tuple[str, str], str] = {}
        self._counters: defaultdict[str, int] = defaultdict(int)
        self._originals: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"PseudonymVault({len(self._originals)} tokens)"  # never the values

    def pseudonym(self, entity_type: str, value: str) -> str:
        """`<TYPE_n>`: the same for the same value, a new number for a new one."""
        # "Anna  Schmidt" and "anna schmidt" are the same person within a request.
        key = (entity_type, " ".join(value.split()).casefold())
        token = self._by_value.get(key)
        if token is None:
            number = self._counters[entity_type] + 1
            self._counters[entity_type] = number
            token = self._by_value[key] = f"<{entity_type}_{number}>"
            self._originals[token] = value
        return token

    def remember(self, token: str, value: str) -> None:
        """Record a token made elsewhere (hash, encrypt) so that answers can be restored."""
        self._originals.setdefault(token, value)

    def original(self, token: str) -> str | None:
        return self._originals.get(token)

    def __len__(self) -> int:
        return len(self._originals)

    def restore(self, text: str) -> str:
        """Every known token in `text` replaced by its value; unknown tokens stay as they are."""
        return TOKEN.sub(lambda m: self._originals.get(m.group(), m.group()), text)
