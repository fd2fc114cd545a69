"""Settings: one pydantic-settings class, built once (by the CLI or a test) and passed down."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

_PACKAGE_DIR = Path(__file__).resolve().parent


def default_config_dir(name: str) -> Path:
    """`regions/` or `models/`: from a source checkout if there is one, else the copy inside the wheel."""
    checkout = _PACKAGE_DIR.parent / name
    return checkout if checkout.is_dir() else _PACKAGE_DIR / "_bundled" / name


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/regional-llm`, or `~/.cache/regional-llm`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "regional-llm"


def _decode_key(raw: str) -> bytes | None:
    try:
        return bytes.fromhex(raw)
    except ValueError:
        pass
    try:
        return base64.b64decode(raw, validate=True)
    except (ValueError, binascii.Error):
        return None


class Settings(BaseSettings):
    """Everything `regional-llm serve` can be told. Each field is also an environment variable
    `REGIONAL_LLM_<NAME>`; command-line flags win over the environment."""

    model_config = SettingsConfigDict(env_prefix="REGIONAL_LLM_", extra="forbid")

    region: str = Field(default="eu-central-1", description="Region policy to serve (a file in regions/).")
    build: str | None = Field(
        default=None, description="Model build to serve; the region's default if unset."
    )
    engine: Literal["transformers"] = Field(default="transformers", description="Inference engine.")
    host: str = Field(default="127.0.0.1", description="Address to listen on.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port to listen on (0 picks a free one).")
    regions_dir: Path = Field(default_factory=lambda: default_config_dir("regions"))
    models_dir: Path = Field(default_factory=lambda: default_config_dir("models"))
    cache_dir: Path = Field(
        default_factory=default_cache_dir, description="Where converted model folders are cached."
    )
    threads: int = Field(
        default=1, ge=1, le=256, description="CPU threads per forward pass (transformers engine)."
    )
    max_num_seqs: int = Field(
        default=4, ge=1, le=256, description="Requests generated at once; more wait in a queue."
    )
    graceful_shutdown_seconds: float = Field(
        default=30.0, ge=0, description="On SIGTERM, how long in-flight requests may take to finish."
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    pii_key: SecretStr | None = Field(
        default=None,
        description="Key of the hash and encrypt PII actions: 32+ bytes, hex or base64 (or pii_key_file).",
    )
    pii_key_file: Path | None = Field(default=None, description="File holding the PII key (hex or base64).")
    pii_scanner: Literal["hyperscan", "re"] = Field(
        default="hyperscan", description="Candidate scanner; `re` is the portable fallback."
    )
    ner_model: Path | None = Field(
        default=None,
        description="A locally installed token-classification model folder used to find person names too.",
    )

    def read_pii_key(self) -> bytes | None:
        """The PII key from `pii_key_file` or `pii_key`, decoded; raises ValueError naming the setting."""
        if self.pii_key_file is not None:
            try:
                raw = self.pii_key_file.read_text().strip()
            except OSError as exc:
                raise ValueError(f"pii_key_file: cannot read {self.pii_key_file}: {exc.strerror}") from None
            source = "pii_key_file"
        elif self.pii_key is not None:
            raw, source = self.pii_key.get_secret_value().strip(), "pii_key"
        else:
            return None
        key = _decode_key(raw)
        if key is None or len(key) < 32:
            raise ValueError(f"{source}: the PII key must be at least 32 bytes, written in hex or base64")
        return key
