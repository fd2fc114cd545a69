"""The grants file: who may call a region, and with which data origins and builds.

An API key grant holds the key's id, a label, a salt and the HMAC-SHA256 of the secret under that salt:
never the secret, which `regional-llm keys create` prints once (`rllm_<id>_<43 random characters>`,
256 random bits, so one keyed hash is enough; no slow KDF is needed against guessing). A client
certificate grant names a certificate by its subject's common name or one of its subject alternative
names. The file is YAML, created mode 600 and only ever replaced whole (temporary file, then rename).
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from inference.configfile import field_path, read_yaml, shown_value, validate_mapping
from inference.errors import ConfigError, Unauthenticated
from inference.policy.region import BuildId, Code

log = logging.getLogger(__name__)

KEY_PREFIX = "rllm_"
_SECRET = re.compile(r"rllm_([a-z0-9]{6,32})_([A-Za-z0-9_-]{32,128})")
_SECRET_BYTES = 32
_SALT_BYTES = 16
# Fields whose values an error message must not show: they are key material.
_HIDDEN_FIELDS = frozenset({"salt", "hash"})
_HEADER = """\
# regional-llm grants: API keys (salted hashes only; the secrets were shown once, by `keys create`)
# and client-certificate identities, each with the data origins and builds it may use.
# Edit with `regional-llm keys create | revoke`; the server re-reads this file when it changes.
"""


def _as_utc(value: datetime) -> datetime:
    """A time without a zone is UTC; a date alone is midnight UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcTime = Annotated[datetime, AfterValidator(_as_utc)]
KeyId = Annotated[str, Field(pattern=r"^[a-z0-9]{6,32}$")]
Label = Annotated[str, Field(pattern=r"^[A-Za-z0-9._@-]{1,64}$")]
# A common name, DNS name, URI (spiffe://...) or e-mail address of a client certificate.
CertificateName = Annotated[str, Field(pattern=r"^[\x21-\x7e]{1,253}$")]
Rate = Annotated[int, Field(ge=1, le=1_000_000)]


class ApiKeyGrant(BaseModel):
    """One API key: its id and label, what it may send and use, and the salted hash of its secret."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: KeyId = Field(description="Public id; the secret is `rllm_<id>_<random>`.")
    label: Label = Field(description="Who holds the key, e.g. eu-storefront; recorded in the audit trail.")
    origins: tuple[Code, ...] = Field(
        min_length=1, description="Data-origin codes the key may send (ISO 3166-1 alpha-2, EU, EEA)."
    )
    builds: tuple[BuildId, ...] = Field(
        default=(), description="Build ids the key may use; empty: every build the region serves."
    )
    rate: Rate | None = Field(default=None, description="Requests per minute, per server process.")
    expires: UtcTime | None = Field(default=None, description="Refused from this time on (UTC).")
    created: UtcTime | None = None
    revoked: UtcTime | None = Field(default=None, description="Refused since this time.")
    salt: str = Field(pattern=r"^[0-9a-f]{32}$", description="16 random bytes, hex.")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="HMAC-SHA256 of the secret under the salt, hex.")

    def matches(self, secret: str) -> bool:
        """Whether `secret` is this key's, compared in constant time."""
        return hmac.compare_digest(key_hash(bytes.fromhex(self.salt), secret), self.hash)


class CertificateGrant(BaseModel):
    """A client-certificate identity: a certificate from the configured CA whose subject common name or
    subject alternative name is `name`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: CertificateName = Field(description="The certificate's subject CN, or a DNS, URI or e-mail SAN.")
    label: Label | None = None
    origins: tuple[Code, ...] = Field(min_length=1)
    builds: tuple[BuildId, ...] = ()
    rate: Rate | None = None
    expires: UtcTime | None = None


class GrantsFile(BaseModel):
    """The whole grants file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_keys: tuple[ApiKeyGrant, ...] = ()
    client_certificates: tuple[CertificateGrant, ...] = ()

    @field_validator("api_keys")
    @classmethod
    def _unique_ids(cls, keys: tuple[ApiKeyGrant, ...]) -> tuple[ApiKeyGrant, ...]:
        _refuse_duplicates([k.id for k in keys], "key id")
        return keys

    @field_validator("client_certificates")
    @classmethod
    def _unique_names(cls, grants: tuple[CertificateGrant, ...]) -> tuple[CertificateGrant, ...]:
        _refuse_duplicates([g.name for g in grants], "certificate name")
        return grants

    def key(self, key_id: str) -> ApiKeyGrant | None:
        return next((k for k in self.api_keys if k.id == key_id), None)


def _refuse_duplicates(names: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} {name!r} appears twice")
        seen.add(name)


def key_hash(salt: bytes, secret: str) -> str:
    """The stored form of a secret: HMAC-SHA256 under the key's own salt, hex."""
    return hmac.new(salt, secret.encode("utf-8"), hashlib.sha256).hexdigest()


def key_id_of(token: str) -> str | None:
    """The key id inside a token shaped like a secret (`rllm_<id>_<random>`), else None."""
    found = _SECRET.fullmatch(token)
    return found.group(1) if found else None


def new_api_key(
    label: str,
    origins: Iterable[str],
    builds: Iterable[str] = (),
    expires: datetime | None = None,
    rate: int | None = None,
    taken: Iterable[str] = (),
) -> tuple[ApiKeyGrant, str]:
    """A new key grant (validated like a loaded one) and its secret, which is stored nowhere."""
    used = set(taken)
    key_id = secrets.token_hex(6)
    while key_id in used:
        key_id = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    salt = secrets.token_bytes(_SALT_BYTES)
    grant = ApiKeyGrant.model_validate(
        {
            "id": key_id,
            "label": label,
            "origins": list(origins),
            "builds": list(builds),
            "rate": rate,
            "expires": expires,
            "created": datetime.now(UTC).replace(microsecond=0),
            "salt": salt.hex(),
            "hash": key_hash(salt, secret),
        }
    )
    return grant, secret


# --- the file ----------------------------------------------------------------------------------------


def _error_line(error: ValidationError) -> tuple[str, str]:
    """The field and message of the first problem; values of salt and hash are never shown."""
    details = error.errors(include_url=False)
    detail = next((d for d in details if d["type"] == "extra_forbidden"), details[0])
    loc = tuple(detail["loc"])
    message = str(detail["msg"]).removeprefix("Value error, ")
    if detail["type"] == "extra_forbidden":
        message = "unknown field"
    elif detail["type"] == "missing":
        message = "required field is missing"
    elif not (loc and loc[-1] in _HIDDEN_FIELDS):
        message = f"{message} (got {shown_value(detail['input'])})"
    return field_path(loc), message


def load_grants(path: Path) -> GrantsFile:
    """Read and validate a grants file; `ConfigError` names the file, the field and the value."""
    shown = str(path)
    data = read_yaml(path, shown)
    if data is None:
        return GrantsFile()
    return validate_mapping(data, GrantsFile, shown, _error_line)


def _dumped(grants: GrantsFile) -> str:
    def plain(model: BaseModel) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in model.model_dump(exclude_none=True).items():
            if isinstance(value, datetime):
                value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
            elif isinstance(value, tuple):
                value = list(value)
            if value != []:
                out[name] = value
        return out

    body = {
        "api_keys": [plain(k) for k in grants.api_keys],
        "client_certificates": [plain(c) for c in grants.client_certificates],
    }
    return _HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=False, width=120)


def save_grants(path: Path, grants: GrantsFile) -> None:
    """Replace the file atomically: a new file (mode 600) in the same folder, synced, renamed over it."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(_dumped(grants))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def update_grants(path: Path, change: Callable[[GrantsFile], GrantsFile]) -> GrantsFile:
    """Read, change and write the file under a lock on its folder, so that two `keys` commands at once
    do not lose each other's change. A missing file starts empty (and its folder is created)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        current = load_grants(path) if path.exists() else GrantsFile()
        changed = change(current)
        save_grants(path, changed)
        return changed
    finally:
        os.close(folder)  # closing releases the lock


# --- the running server's view -----------------------------------------------------------------------


class GrantIndex:
    """The grants of one version of the file, looked up by key id and certificate name."""

    def __init__(self, grants: GrantsFile) -> None:
        self.grants = grants
        self._keys = {k.id: k for k in grants.api_keys}
        # A throwaway grant to compare against when the id is unknown: every refusal costs one HMAC.
        self._decoy = new_api_key("decoy", ["EU"])[0]

    def verify_key(self, token: str, now: datetime) -> ApiKeyGrant:
        """The grant of a presented secret, or `Unauthenticated` (wrong, unknown, revoked, expired)."""
        key_id = key_id_of(token)
        if key_id is None:
            raise Unauthenticated("Incorrect API key provided. Keys look like rllm_<id>_<secret>.")
        grant = self._keys.get(key_id)
        if not (grant or self._decoy).matches(token) or grant is None:
            raise Unauthenticated("Incorrect API key provided.", identity=f"key:{key_id}")
        # Only the holder of the secret gets here: telling why it no longer works leaks nothing.
        if grant.revoked is not None and grant.revoked <= now:
            raise Unauthenticated("This API key has been revoked.", identity=f"key:{key_id}")
        if grant.expires is not None and grant.expires <= now:
            raise Unauthenticated(
                f"This API key expired on {grant.expires:%Y-%m-%dT%H:%M:%SZ}.", identity=f"key:{key_id}"
            )
        return grant

    def certificate(self, names: Sequence[str], now: datetime) -> CertificateGrant | None:
        """The first grant (in file order) naming one of a certificate's names, if not expired."""
        for grant in self.grants.client_certificates:
            if grant.name in names and (grant.expires is None or now < grant.expires):
                return grant
        return None


class GrantsSource:
    """The grants file as the server sees it: loaded at start (a broken file stops the start), then
    re-read whenever it changes, so that `keys revoke` and `keys create` take effect without a restart.
    A change that does not load is logged and the last good version stays in force."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp = self._stat()
        self.index = GrantIndex(load_grants(path))

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            status = os.stat(self.path)
        except OSError:
            return None
        return (status.st_ino, status.st_mtime_ns, status.st_size)

    def current(self) -> GrantIndex:
        stamp = self._stat()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self.index = GrantIndex(load_grants(self.path))
            except ConfigError as exc:
                log.error("grants not reloaded, the previous ones stay in force: %s", exc)
            else:
                grants = self.index.grants
                log.info(
                    "grants reloaded from %s: %d API keys, %d certificate grants",
                    self.path,
                    len(grants.api_keys),
                    len(grants.client_certificates),
                )
        return self.index
