"""Region policy files (`regions/<id>.yaml`): what a regional deployment may accept and serve."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from inference.policy.codes import KNOWN_CODES, describe_unknown
from inference.privacy.policy import PrivacyPolicy

MIB = 1024 * 1024


def normalize_code(value: str) -> str:
    """Upper-case a country or jurisdiction code and check that it is known."""
    code = value.strip().upper()
    if code not in KNOWN_CODES:
        raise ValueError(describe_unknown(code))
    return code


Code = Annotated[str, AfterValidator(normalize_code)]
RegionId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
BuildId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")]


class RequestLimits(BaseModel):
    """Limits on what one request may carry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_request_bytes: int = Field(
        default=MIB, ge=1024, le=64 * MIB, description="Largest accepted request body, in bytes."
    )


class AuditPolicy(BaseModel):
    """What the audit trail keeps of each request's text, and for how long."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Literal["anonymized", "hashed", "none"] = Field(
        default="hashed",
        description="hashed (the default): keyed hashes of the caller's texts, PII-free by construction; "
        "anonymized: the prompt as the model saw it and the answer screened again, so any value the "
        "detector misses is stored in clear; none: no text at all.",
    )
    retention_days: int = Field(default=90, ge=1, le=3650, description="`audit purge` deletes older records.")


class RegionPolicy(BaseModel):
    """One region's policy: its jurisdiction, the data origins it accepts and the builds it may serve."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RegionId = Field(description="Region id; must equal the file name without `.yaml`.")
    jurisdiction: Code = Field(description="Jurisdiction whose model builds this region serves, e.g. EU.")
    description: str = ""
    accepted_origins: tuple[Code, ...] = Field(
        min_length=1, description="Origin codes (ISO 3166-1 alpha-2, EU, EEA) this region may process."
    )
    builds: tuple[BuildId, ...] = Field(min_length=1, description="Ids of the model builds it may serve.")
    default_build: BuildId | None = Field(
        default=None, description="Build served when none is chosen at start; the first of `builds` if unset."
    )
    limits: RequestLimits = RequestLimits()
    audit: AuditPolicy = AuditPolicy()
    privacy: PrivacyPolicy = Field(
        default_factory=PrivacyPolicy,
        description="What happens to each PII type before the model sees it (default: cards and US SSNs "
        "blocked, everything else pseudonymized).",
    )

    @field_validator("default_build")
    @classmethod
    def _default_build_is_listed(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and value not in info.data.get("builds", (value,)):
            raise ValueError("must be one of builds")
        return value

    @property
    def accepted(self) -> frozenset[str]:
        """The accepted origin codes as a set."""
        return frozenset(self.accepted_origins)

    @property
    def served_build(self) -> str:
        """The build this region serves unless another is chosen."""
        return self.default_build or self.builds[0]
