"""Settings: one pydantic-settings class, built once (by the CLI or a test) and passed down."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import secrets
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from inference.configfile import first_error

_PACKAGE_DIR = Path(__file__).resolve().parent


def default_config_dir(name: str) -> Path:
    """`regions/` or `models/`: from a source checkout if there is one, else the copy inside the wheel."""
    checkout = _PACKAGE_DIR.parent / name
    return checkout if checkout.is_dir() else _PACKAGE_DIR / "_bundled" / name


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/regional-llm`, or `~/.cache/regional-llm`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "regional-llm"


def default_data_dir() -> Path:
    """`$XDG_DATA_HOME/regional-llm`, or `~/.local/share/regional-llm`: the embedded audit store."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "regional-llm"


def _read_key(value: SecretStr | None, file: Path | None, name: str) -> bytes | None:
    """A key from its file or its value, decoded; None if neither is set; ValueError naming the setting."""
    if file is not None:
        try:
            raw = file.read_text().strip()
        except OSError as exc:
            raise ValueError(f"{name}_file: cannot read {file}: {exc.strerror}") from None
        source = f"{name}_file"
    elif value is not None:
        raw, source = value.get_secret_value().strip(), name
    else:
        return None
    key = _decode_key(raw)
    if key is None or len(key) < 32:
        raise ValueError(f"{source}: the key must be at least 32 bytes, written in hex or base64")
    return key


def _decode_key(raw: str) -> bytes | None:
    try:
        return bytes.fromhex(raw)
    except ValueError:
        pass
    try:
        return base64.b64decode(raw, validate=True)
    except (ValueError, binascii.Error):
        return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """Everything `regional-llm serve` can be told. Each field is also an environment variable
    `REGIONAL_LLM_<NAME>`; command-line flags win over the environment."""

    model_config = SettingsConfigDict(env_prefix="REGIONAL_LLM_", extra="forbid")

    region: str = Field(default="eu-central-1", description="Region policy to serve (a file in regions/).")
    build: str | None = Field(
        default=None, description="Model build to serve; the region's default if unset."
    )
    engine: Literal["transformers", "vllm"] = Field(
        default="transformers",
        description="Inference engine: `transformers` (CPU reference) or `vllm` (GPU nodes; the vllm extra).",
    )
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
    max_num_seqs: int | None = Field(
        default=None,
        ge=1,
        le=4096,
        description="Requests generated at once; more wait in a queue (engine default if unset: "
        "4 for transformers, vLLM's own for vllm).",
    )
    max_num_queued_reqs: int | None = Field(
        default=None,
        ge=1,
        le=65536,
        description="Requests (a completion's prompts count one each) held at once, running plus waiting, "
        "as vLLM's flag of that name; beyond it a request gets 503 server_overloaded with Retry-After. "
        "Unset: three times max_num_seqs (that many running, twice as many waiting).",
    )
    graceful_shutdown_seconds: float = Field(
        default=30.0, ge=0, description="On SIGTERM, how long in-flight requests may take to finish."
    )
    # The HTTP layer's limits apply before anyone is identified: see api/protocol.py.
    http: Literal["auto", "httptools", "h11"] = Field(
        default="auto",
        description="HTTP/1.1 implementation, as uvicorn names them; auto: httptools if installed.",
    )
    limit_request_head_bytes: int = Field(
        default=16384,
        ge=1024,
        le=1048576,
        description="Most bytes of a request line and its header fields (431 beyond); also bounds a chunked "
        "body's framing and trailer fields.",
    )
    limit_request_fields: int = Field(
        default=100, ge=8, le=10000, description="Most header fields of a request (431 beyond)."
    )
    timeout_keep_alive: int = Field(
        default=5,
        ge=1,
        description="Seconds a connection may wait with no request in progress: new, or after a response.",
    )
    timeout_request_head: float = Field(
        default=10.0,
        gt=0,
        description="Seconds from a request's first byte to the end of its head (408 beyond).",
    )
    timeout_request_body: float = Field(
        default=10.0,
        gt=0,
        description="Longest pause, in seconds, between two reads of a request body (408).",
    )
    timeout_request: float = Field(
        default=60.0,
        gt=0,
        description="Seconds from a request's first byte to the end of its body (408 beyond).",
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
    data_dir: Path = Field(
        default_factory=default_data_dir, description="Where the embedded audit store and its key live."
    )
    audit_url: str | None = Field(
        default=None,
        description="sqlite:///PATH or postgresql://...; the SQLite file in data_dir if unset.",
    )
    audit_key: SecretStr | None = Field(
        default=None, description="Key of the audit hash chain: 32+ bytes, hex or base64 (or audit_key_file)."
    )
    audit_key_file: Path | None = Field(
        default=None, description="File holding the audit key; generated in data_dir for the embedded store."
    )
    ner_model: Path | None = Field(
        default=None,
        description="A locally installed token-classification model folder used to find person names too.",
    )
    api_keys_file: Path | None = Field(
        default=None,
        description="The grants file: API keys (salted hashes) and client-certificate grants, each with the "
        "origins and builds it may use. Once set, every request needs an identity.",
    )
    ssl_certfile: Path | None = Field(
        default=None, description="The server's TLS certificate (PEM): serve HTTPS."
    )
    ssl_keyfile: Path | None = Field(
        default=None, description="The private key of ssl_certfile (PEM), unless that file holds it."
    )
    ssl_ca_certs: Path | None = Field(
        default=None,
        description="CA certificates (PEM) that sign client certificates: mutual TLS. Needs api_keys_file, "
        "whose client_certificates map certificates to grants.",
    )
    insecure_no_auth: bool = Field(
        default=False,
        description="Serve without any caller identity on an address other than loopback.",
    )
    public_health: bool = Field(
        default=True, description="/health and /ready answer without an identity (for probes)."
    )
    public_metrics: bool = Field(default=False, description="/metrics answers without an identity.")

    # A rule's message is the whole line `settings_error` shows: it names its settings itself.
    @property
    def callers_identified(self) -> bool:
        """Whether every request needs an identity: API keys, or client certificates."""
        return self.api_keys_file is not None or self.ssl_ca_certs is not None

    def read_pii_key(self) -> bytes | None:
        """The PII key from `pii_key_file` or `pii_key`, decoded; raises ValueError naming the setting."""
        return _read_key(self.pii_key, self.pii_key_file, "pii_key")

    @property
    def audit_store_url(self) -> str:
        return self.audit_url or f"sqlite:///{self.data_dir / 'audit.sqlite3'}"

    def read_audit_key(self) -> bytes:
        """The audit chain key. The embedded store gets one generated beside it on first use; a shared
        (PostgreSQL) store needs one configured, the same for every process."""
        key = _read_key(self.audit_key, self.audit_key_file, "audit_key")
        if key is not None:
            return key
        if self.audit_url is not None and not self.audit_url.startswith("sqlite:"):
            raise ValueError(
                "audit_key: a shared audit store needs the same key in every process; "
                "set REGIONAL_LLM_AUDIT_KEY_FILE (32+ random bytes, hex or base64)"
            )
        path = self.data_dir / "audit.key"
        if not path.exists():
            # The data folder, like the key and the embedded store in it, is its owner's only.
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Created readable by its owner only, and never overwritten.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
        key = _read_key(None, path, "audit_key")
        assert key is not None
        return key


def settings_error(error: ValidationError) -> str:
    """One line for settings that `Settings` refused: the setting, its flag, its environment variable and
    what is wrong. The cross-field rules' messages name their settings themselves."""
    rule = next((d for d in error.errors(include_url=False) if not d["loc"]), None)
    if rule is not None:
        return str(rule["msg"]).removeprefix("Value error, ")
    field, message = first_error(error)
    return f"setting {field} (flag --{field.replace('_', '-')} or REGIONAL_LLM_{field.upper()}): {message}"


class ServeSettings(Settings):
    """The settings of `regional-llm serve`, with the rules of serving: TLS files need the certificate,
    mutual TLS needs grants, and an address beyond loopback needs identified callers (or an explicit
    `insecure_no_auth`). Other commands read `Settings`, so that an image configured to listen on
    0.0.0.0 can still run `models verify` or `audit verify`."""

    @model_validator(mode="after")
    def _tls_files_need_a_certificate(self) -> Self:
        for name in ("ssl_keyfile", "ssl_ca_certs"):
            if getattr(self, name) is not None and self.ssl_certfile is None:
                raise ValueError(f"setting {name} needs ssl_certfile (REGIONAL_LLM_SSL_CERTFILE)")
        if self.ssl_ca_certs is not None and self.api_keys_file is None:
            raise ValueError(
                "setting ssl_ca_certs needs api_keys_file (REGIONAL_LLM_API_KEYS_FILE): its "
                "client_certificates map certificates to grants"
            )
        return self

    @model_validator(mode="after")
    def _callers_identified_beyond_loopback(self) -> Self:
        if self.callers_identified and self.insecure_no_auth:
            raise ValueError(
                "setting insecure_no_auth contradicts api_keys_file and ssl_ca_certs: callers are identified"
            )
        if not self.callers_identified and not _is_loopback(self.host) and not self.insecure_no_auth:
            raise ValueError(
                f"setting host: {self.host} is not a loopback address and no caller identity is "
                "configured; set api_keys_file (REGIONAL_LLM_API_KEYS_FILE, see `regional-llm keys "
                "create`), or pass --insecure-no-auth to serve anyone who can connect"
            )
        return self
