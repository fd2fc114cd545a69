"""Who is calling, and what their grant lets them send: the identity a request is bound to.

A grant's origin codes are read as jurisdictions: `EU` covers the tag `EU` and every member state,
`EEA` covers `EEA`, `EU` and every EEA state; a country code covers only itself. The region's own
`accepted_origins` are checked first (`data_origin_mismatch`), then the grant (`origin_not_granted`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from inference.errors import PolicyViolation
from inference.policy.codes import EEA_MEMBER_STATES, EU_MEMBER_STATES
from inference.policy.grants import ApiKeyGrant, CertificateGrant
from inference.policy.origin import HEADER, OriginTag

_COVERED: dict[str, frozenset[str]] = {
    "EU": frozenset({"EU"}) | EU_MEMBER_STATES,
    "EEA": frozenset({"EEA", "EU"}) | EEA_MEMBER_STATES,
}


class OriginNotGranted(PolicyViolation):
    """The tag names an origin the caller's grant does not include (403)."""

    code = "origin_not_granted"


def granted_codes(origins: Iterable[str]) -> frozenset[str]:
    """Every tag code a grant's origin codes cover."""
    covered: set[str] = set()
    for code in origins:
        covered |= _COVERED.get(code, frozenset({code}))
    return frozenset(covered)


@dataclass(frozen=True)
class Caller:
    """An identified caller. `origins` None: not bound to a grant (a server without identities, or an
    endpoint open to all); `builds` None: every build the region serves."""

    identity: str
    origins: frozenset[str] | None = None
    builds: frozenset[str] | None = None
    rate: int | None = None
    granted: tuple[str, ...] = ()
    """The grant's origin codes as written, for messages."""

    @classmethod
    def of_key(cls, grant: ApiKeyGrant) -> Caller:
        return cls._of(f"key:{grant.id}/{grant.label}", grant.origins, grant.builds, grant.rate)

    @classmethod
    def of_certificate(cls, grant: CertificateGrant) -> Caller:
        return cls._of(f"cert:{grant.name}", grant.origins, grant.builds, grant.rate)

    @classmethod
    def _of(
        cls, identity: str, origins: tuple[str, ...], builds: tuple[str, ...], rate: int | None
    ) -> Caller:
        return cls(identity, granted_codes(origins), frozenset(builds) or None, rate, origins)

    def joined(self, other: Caller) -> Caller:
        """A caller who presented two credentials (an API key over a client-certificate connection)
        gets what both grants allow, and the lower rate."""
        rates = [r for r in (self.rate, other.rate) if r is not None]
        origins = _both(self.origins, other.origins)
        return Caller(
            f"{self.identity}+{other.identity}",
            origins,
            _both(self.builds, other.builds),
            min(rates) if rates else None,
            tuple(sorted(origins or ())),
        )

    def may_use(self, build_id: str) -> bool:
        return self.builds is None or build_id in self.builds


def _both(first: frozenset[str] | None, second: frozenset[str] | None) -> frozenset[str] | None:
    if first is None:
        return second
    if second is None:
        return first
    return first & second


def check_grant(tag: OriginTag, caller: Caller) -> None:
    """Refuse the request unless every code in `tag` is within the caller's grant."""
    if caller.origins is None:
        return
    refused = [code for code in tag.codes if code not in caller.origins]
    if refused:
        raise OriginNotGranted(
            f"The caller {caller.identity} may not send data of origin {', '.join(refused)}; its grant "
            f"covers {', '.join(caller.granted) or 'no origins'}.",
            param=HEADER,
        )
