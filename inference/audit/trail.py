"""What the request path records: a draft filled in as a request goes, committed at its end.

Text is stored only as the region's policy allows: `anonymized` (the prompt as the model saw it, the
answer screened again by the same policy), `hashed` (keyed hashes of the caller's texts, to prove later
what was sent without keeping it), or `none`. The caller's own request id is kept only if it is a plain
token in which the detector finds nothing; the record's key is always the server's id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from inference.audit.record import AuditRecord, Decision, writer_label
from inference.audit.store import StoreUnavailable
from inference.audit.writer import AuditWriter
from inference.errors import AuditUnavailable
from inference.privacy.identifiers import REQUEST_ID, plain_identifier
from inference.privacy.screen import PrivacyScreen, Screening

TextMode = Literal["anonymized", "hashed", "none"]


class GenerationOutcome(Protocol):
    """What the record needs of one generation, read when the record is committed."""

    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...
    @property
    def ttft(self) -> float | None: ...
    @property
    def finish_reason(self) -> str | None: ...
    @property
    def raw_text(self) -> str: ...
    @property
    def restored_text(self) -> str: ...


@dataclass(frozen=True)
class AuditDraft:
    """What a request's record is made of, handed over once, when the request ends. Raw texts are held in
    memory only until the record is built from them."""

    request_id: str
    """The server's own id for the request, unique: the record's key."""
    path: str
    identity: str
    arrived: float
    """`time.perf_counter()` at arrival, for the latency."""
    time: str
    """Wall-clock arrival time, ISO 8601 UTC."""
    origins: str = ""
    reason: str = ""
    screening: Screening | None = None
    pii_counts: Mapping[tuple[str, str], int] = field(default_factory=dict)
    contradictions: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(entity type, country) of detected values pointing outside the region's accepted origins."""
    roles: Sequence[str] = ()
    raw_prompts: Sequence[str] = ()
    generations: Sequence[GenerationOutcome] = ()
    build: tuple[str, str] | None = None
    """(id, digest) of the build that answered, when not the served build itself (a LoRA adapter)."""
    refused: bool = False
    """The request ended in a refusal by decision (its error says so), whatever its status."""
    client_request_id: str | None = None
    """The caller's X-Request-Id as sent; the record keeps it only once screened."""

    @property
    def endpoint(self) -> str:
        """`chat.completions` for `/v1/chat/completions`."""
        return self.path.removeprefix("/v1/").replace("/", ".")


class Auditor:
    """Builds and commits the records of one serving process."""

    def __init__(
        self,
        writer: AuditWriter,
        key: bytes,
        region: str,
        build: str,
        build_digest: str,
        text_mode: TextMode,
        privacy: PrivacyScreen,
    ) -> None:
        self.writer = writer
        self._text_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"regional-llm audit text v1"
        ).derive(key)
        self._region = region
        self._build = build
        self._digest = build_digest
        self._mode = text_mode
        self._privacy = privacy
        self._writer_label = writer_label()

    @property
    def healthy(self) -> bool:
        return self.writer.healthy

    async def commit(self, draft: AuditDraft, status: int, aborted: bool = False) -> None:
        """Seal and commit the draft's record; raises AuditUnavailable (the client-facing 503) if it was
        not stored."""
        record = self._record(draft, status, aborted)
        try:
            await self.writer.commit(record)
        except StoreUnavailable:
            raise AuditUnavailable(
                "The audit trail cannot be written; the request was not completed. Retry later."
            ) from None

    def _record(self, draft: AuditDraft, status: int, aborted: bool) -> AuditRecord:
        decision: Decision
        if aborted or status == 499:
            decision = "aborted"
        elif status < 400:
            decision = "served"
        elif status < 500 or draft.refused:
            decision = "refused"
        else:
            decision = "failed"
        outcomes = draft.generations
        finishes = sorted({g.finish_reason or "abort" for g in outcomes})
        reason = draft.reason or ",".join(finishes)
        ttfts = [g.ttft for g in outcomes if g.ttft is not None]
        pii: dict[str, dict[str, int]] = {}
        for (entity_type, action), count in sorted(draft.pii_counts.items()):
            pii.setdefault(entity_type, {})[action] = count
        contradictions: dict[str, dict[str, int]] = {}
        for (entity_type, country), count in sorted(draft.contradictions.items()):
            contradictions.setdefault(entity_type, {})[country] = count
        prompt, answer = self._texts(draft)
        return AuditRecord(
            record_id=uuid.uuid4().hex,
            time=draft.time,
            request_id=draft.request_id,
            region=self._region,
            endpoint=draft.endpoint,
            identity=draft.identity,
            origins=draft.origins,
            build=draft.build[0] if draft.build else self._build,
            build_digest=draft.build[1] if draft.build else self._digest,
            decision=decision,
            reason=reason or ("client_disconnected" if aborted else ""),
            status=status,
            client_request_id=(
                plain_identifier(draft.client_request_id, self._privacy.detector, REQUEST_ID)
                if draft.client_request_id is not None
                else None
            ),
            pii=pii,
            contradictions=contradictions or None,
            prompt_tokens=sum(g.prompt_tokens for g in outcomes),
            completion_tokens=sum(g.completion_tokens for g in outcomes),
            ttft_ms=round(min(ttfts) * 1000, 3) if ttfts else None,
            latency_ms=round((time.perf_counter() - draft.arrived) * 1000, 3),
            text_mode=self._mode if draft.screening is not None else "none",
            prompt=prompt,
            answer=answer,
            writer=self._writer_label,
        )

    def _texts(self, draft: AuditDraft) -> tuple[str | None, str | None]:
        if self._mode == "none" or draft.screening is None:
            return None, None
        answers = [g for g in draft.generations if g.completion_tokens]
        if self._mode == "hashed":
            answer_mac = self._mac([g.restored_text for g in answers]) if answers else None
            return self._mac(draft.raw_prompts), answer_mac
        prompts = [t.text for t in draft.screening.texts]
        listed = (
            [{"role": r, "content": p} for r, p in zip(draft.roles, prompts, strict=True)]
            if draft.roles
            else prompts
        )
        prompt = json.dumps(listed, ensure_ascii=False)
        if not answers:
            return prompt, None
        # The answer as the model wrote it has placeholders, but the model may also have made up values of
        # its own: screen it again, with the request's placeholders.
        screened = self._privacy.screen(
            [g.raw_text for g in answers],
            region_id=self._region,
            redact_blocked=True,
            vault=draft.screening.vault,
        )
        return prompt, json.dumps([t.text for t in screened.texts], ensure_ascii=False)

    def _mac(self, texts: Sequence[str]) -> str:
        payload = json.dumps(list(texts), ensure_ascii=False, separators=(",", ":")).encode()
        return "hmac-sha256:" + hmac.new(self._text_key, payload, hashlib.sha256).hexdigest()
