"""An audit record and its place in the hash chain.

Each record carries the hash of the one before; its own hash is an HMAC-SHA256, under the audit key,
of every other field in canonical JSON. Without the key, nobody can change, insert or reorder records
and recompute hashes that verify. A field added in a later version is left out of the canonical JSON
while it is empty (None), so that the records written before it existed still verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

GENESIS = "0" * 64
LATER_FIELDS = frozenset({"client_request_id", "contradictions"})
"""Fields added after the first version of the record: empty in older records, and then not hashed."""

Decision = Literal["served", "refused", "failed", "aborted", "purge"]


@dataclass
class AuditRecord:
    """What happened to one request. Text fields hold only what the region's policy allows."""

    record_id: str
    time: str  # ISO 8601, UTC, milliseconds
    request_id: str
    region: str
    endpoint: str
    identity: str
    origins: str  # normalized codes, comma-separated; empty when the tag was missing or invalid
    build: str
    build_digest: str
    decision: Decision
    reason: str  # an error code, or the finish reason of a served request
    status: int
    client_request_id: str | None = (
        None  # the caller's X-Request-Id, if a plain token the detector finds clean
    )
    pii: dict[str, dict[str, int]] = field(default_factory=dict)  # type -> action -> count
    # Detected values that point to a country the region does not accept: type -> country -> count; None
    # when there were none (and in records older than the field).
    contradictions: dict[str, dict[str, int]] | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    ttft_ms: float | None = None
    latency_ms: float = 0.0
    text_mode: str = "none"  # anonymized | hashed | none
    prompt: str | None = None
    answer: str | None = None
    writer: str = ""
    seq: int = 0
    prev_hash: str = GENESIS
    hash: str = ""

    def canonical(self) -> bytes:
        """Every field but `hash` (and the later fields that are empty), as canonical JSON: the bytes the
        hash covers."""
        body = {
            k: v for k, v in asdict(self).items() if k != "hash" and not (k in LATER_FIELDS and v is None)
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def seal(self, seq: int, prev_hash: str, key: bytes) -> None:
        """Place the record after `prev_hash` at `seq`, and compute its hash."""
        self.seq = seq
        self.prev_hash = prev_hash
        self.hash = chain_hash(key, self.canonical())

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["pii"] = json.dumps(self.pii, sort_keys=True, separators=(",", ":"))
        if self.contradictions is not None:
            row["contradictions"] = json.dumps(self.contradictions, sort_keys=True, separators=(",", ":"))
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AuditRecord:
        values = dict(row)
        values["pii"] = json.loads(values["pii"] or "{}")
        if values.get("contradictions"):
            values["contradictions"] = json.loads(values["contradictions"])
        return cls(**values)


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(AuditRecord))


def writer_label() -> str:
    """`host:pid`: which process wrote a record."""
    return f"{socket.gethostname()}:{os.getpid()}"


def chain_hash(key: bytes, payload: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def anchor_mac(key: bytes, seq: int, record_hash: str) -> str:
    """The MAC of a purge anchor: the last purged record, from which verification continues."""
    return chain_hash(key, f"anchor:{seq}:{record_hash}".encode())
