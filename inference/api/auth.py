"""Who is calling: an API key (`Authorization: Bearer rllm_...`), a verified client certificate, or both.

Once a grants file or a client CA is configured, every request needs an identity, except the endpoints
configured as public (`/health` and `/ready` by default, for probes). A server with neither serves
open (the CLI allows that only on a loopback address, or when told `--insecure-no-auth`); its callers
may name themselves with `X-Client-Label`, taken only when it is a plain token the PII detector finds
clean. Rates are per grant: a key has one bucket, with or without a client certificate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from starlette.types import Scope

from inference.api.ratelimit import Rate, RateLimiter
from inference.api.tls import certificate_names, peer_certificate
from inference.errors import RateLimited, Unauthenticated
from inference.policy.grants import KEY_PREFIX, ApiKeyGrant, CertificateGrant, GrantsSource
from inference.policy.identity import Caller
from inference.privacy.identifiers import CLIENT_LABEL, Detector, plain_identifier

PUBLIC_HEALTH_PATHS = frozenset({"/health", "/ready"})
PUBLIC_METRICS_PATHS = frozenset({"/metrics"})
# Callers of public endpoints are not identified; they are bound to nothing because they send nothing.
_UNIDENTIFIED = Caller("anonymous", origins=frozenset(), builds=frozenset())


def _header(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope.get("headers", []) if key == name]


def client_label(scope: Scope, detector: Detector | None) -> str:
    """An open server's caller: its X-Client-Label if it is a plain token in which `detector` finds
    nothing, else `anonymous` (also without a detector)."""
    labels = _header(scope, b"x-client-label")
    label = plain_identifier(labels[0], detector, CLIENT_LABEL) if labels else None
    return label or "anonymous"


def _rate(grant: ApiKeyGrant | CertificateGrant) -> Rate | None:
    """A grant's bucket, named by what does not change with the connection: the key id, the name."""
    if grant.rate is None:
        return None
    name = f"key:{grant.id}" if isinstance(grant, ApiKeyGrant) else f"cert:{grant.name}"
    return Rate(name, grant.rate)


def bearer_token(scope: Scope) -> str | None:
    """The token of `Authorization: Bearer <token>`; None without the header; "" when it is not a single
    Bearer credential."""
    values = _header(scope, b"authorization")
    if not values:
        return None
    scheme, _, token = values[0].strip().partition(" ")
    if len(values) > 1 or scheme.lower() != "bearer":
        return ""
    return token.strip()


@dataclass
class Authenticator:
    """Identifies the caller of each request and applies its grant's rate."""

    grants: GrantsSource | None = None
    client_certificates: bool = False
    """Whether client certificates are verified (a client CA is configured)."""
    public_paths: frozenset[str] = PUBLIC_HEALTH_PATHS
    limiter: RateLimiter = field(default_factory=RateLimiter)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    detector: Detector | None = None
    """Screens the labels of an open server's callers; the serving context gives it the region's."""

    @property
    def required(self) -> bool:
        """Whether requests need an identity (any identity is configured)."""
        return self.grants is not None or self.client_certificates

    def identify(self, scope: Scope) -> Caller:
        """The caller of a request, or `Unauthenticated` (401) / `RateLimited` (429)."""
        if not self.required:
            return Caller(client_label(scope, self.detector))
        if scope["path"] in self.public_paths:
            return _UNIDENTIFIED
        caller, grants = self._authenticated(scope)
        rates = [rate for rate in map(_rate, grants) if rate is not None]
        wait = self.limiter.wait_all(rates)
        if wait:
            limits = "; ".join(
                f"{rate.bucket} allows {rate.per_minute} requests per minute" for rate in rates
            )
            raise RateLimited(
                f"Rate limit reached for {caller.identity}: {limits}. Retry in {wait} s.",
                retry_after=wait,
                identity=caller.identity,
            )
        return caller

    def _authenticated(self, scope: Scope) -> tuple[Caller, list[ApiKeyGrant | CertificateGrant]]:
        """The caller, and the grants it presented (each with its own rate)."""
        now = self.clock()
        index = self.grants.current() if self.grants is not None else None
        token = bearer_token(scope)
        pem = peer_certificate(scope)
        by_certificate: Caller | None = None
        grants: list[ApiKeyGrant | CertificateGrant] = []
        if pem is not None:
            names = certificate_names(pem)
            grant = index.certificate(names, now) if index is not None else None
            if grant is None:
                raise Unauthenticated(
                    "The client certificate has no grant in this region.",
                    identity=f"cert:{names[0] if names else 'unnamed'}",
                )
            by_certificate = Caller.of_certificate(grant)
            grants.append(grant)
            # The openai client always sends some Authorization header: with a certificate, only a
            # token shaped like one of our keys counts as a second credential.
            if token is not None and not token.startswith(KEY_PREFIX):
                token = None
        if token is None:
            if by_certificate is not None:
                return by_certificate, grants
            raise Unauthenticated(
                "You didn't provide an API key. Send it as 'Authorization: Bearer rllm_...'"
                + (", or connect with a client certificate." if self.client_certificates else ".")
            )
        if index is None:
            raise Unauthenticated("This server accepts client certificates only, no API keys.")
        key = index.verify_key(token, now)
        by_key = Caller.of_key(key)
        return (by_key if by_certificate is None else by_key.joined(by_certificate)), [key, *grants]
