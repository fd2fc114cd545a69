"""`regional-llm audit verify`: walk the chain and name the first record that breaks it."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from inference.audit.record import GENESIS, anchor_mac, chain_hash
from inference.audit.store import AuditStore


@dataclass
class Verification:
    """The outcome: how many records verified, the head, and the first problem if any."""

    records: int = 0
    first_seq: int | None = None
    head_seq: int = 0
    head_hash: str = GENESIS
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(
    store: AuditStore, key: bytes, progress: Callable[[int], object] | None = None
) -> Verification:
    """Check every record: consecutive sequence numbers (nothing deleted, inserted or reordered), each
    record's link to the one before, and each record's keyed hash (nothing changed)."""
    result = Verification()
    anchor = store.anchor()
    expected_seq, previous = 1, GENESIS
    if anchor is not None:
        if not hmac.compare_digest(anchor.mac, anchor_mac(key, anchor.seq, anchor.hash)):
            result.problem = f"the purge anchor (seq {anchor.seq}) was changed, or the audit key is wrong"
            return result
        expected_seq, previous = anchor.seq + 1, anchor.hash
    for record in store.records():
        where = f"record seq {record.seq} (request {record.request_id}, {record.time})"
        if record.seq != expected_seq:
            kind = "missing (deleted)" if record.seq > expected_seq else "repeated or out of order"
            result.problem = f"{where}: expected seq {expected_seq}; records are {kind}"
            return result
        if not hmac.compare_digest(record.prev_hash, previous):
            result.problem = f"{where}: does not link to the record before it (inserted, or reordered)"
            return result
        if not hmac.compare_digest(record.hash, chain_hash(key, record.canonical())):
            result.problem = f"{where}: its content was changed (or the audit key is wrong)"
            return result
        if result.first_seq is None:
            result.first_seq = record.seq
        result.records += 1
        result.head_seq, result.head_hash = record.seq, record.hash
        previous, expected_seq = record.hash, expected_seq + 1
        if progress is not None:
            progress(1)
    return result
