"""A region's privacy policy: what happens to each entity type before the model sees the text."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from inference.privacy.entities import CREDIT_CARD, KNOWN_TYPES, US_SSN

Action = Literal["block", "pseudonymize", "mask", "hash", "encrypt", "allow"]
EntityTypeName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{1,40}$")]

KEYED_ACTIONS: frozenset[str] = frozenset({"hash", "encrypt"})


def _payment_and_ssn_blocked() -> dict[str, Action]:
    return {CREDIT_CARD: "block", US_SSN: "block"}


class MaskStyle(BaseModel):
    """How `mask` renders a value: every character but the last `keep_last` replaced by `char`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    char: str = Field(default="*", min_length=1, max_length=1)
    keep_last: int = Field(default=4, ge=0, le=8)


class PrivacyPolicy(BaseModel):
    """Actions per entity type. Types not listed get `default_action`.

    - block: the request is refused (422 `pii_blocked`), naming the types, never the values;
    - pseudonymize: `<PERSON_1>`-style placeholders, consistent within a request, restored in answers;
    - mask: `************1111`;
    - hash: `<EMAIL_ADDRESS_h3f9a2b1c4d5e>`, a keyed HMAC, stable across requests (needs a PII key);
    - encrypt: an AES-GCM token only the key holder can open (needs a PII key);
    - allow: left as it is.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_action: Action = "pseudonymize"
    entities: dict[EntityTypeName, Action] = Field(
        default_factory=_payment_and_ssn_blocked,
        description="Action per entity type, overriding default_action.",
    )
    mask: MaskStyle = MaskStyle()
    origin_evidence: Literal["refuse", "flag", "off"] = Field(
        default="flag",
        description="What to do when a detected entity points to a country the region does not accept "
        "(an IBAN's, a phone number's calling code, a VAT id's prefix, a national id's state): refuse "
        "(403 data_origin_contradicted), flag (serve, and record the contradiction), or off.",
    )

    @property
    def known_types(self) -> frozenset[str]:
        """The entity types a caller may name in `pii_context`: the service's and the ones this policy
        names. Anything else is refused: a caller's made-up type would become a metric label and a key
        of the audit record."""
        return frozenset(KNOWN_TYPES) | frozenset(self.entities)

    def action_for(self, entity_type: str) -> Action:
        return self.entities.get(entity_type, self.default_action)

    @property
    def needs_key(self) -> bool:
        """Whether some action needs the PII key (hash, encrypt)."""
        return self.default_action in KEYED_ACTIONS or any(a in KEYED_ACTIONS for a in self.entities.values())
