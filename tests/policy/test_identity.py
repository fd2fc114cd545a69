"""Grants bound to callers: what a grant's codes cover, two credentials together, and the origin check."""

from __future__ import annotations

import pytest

from inference.policy.codes import EEA_MEMBER_STATES, EU_MEMBER_STATES
from inference.policy.grants import CertificateGrant, new_api_key
from inference.policy.identity import Caller, OriginNotGranted, check_grant, granted_codes
from inference.policy.origin import OriginTag


def test_jurisdiction_codes_cover_their_states() -> None:
    assert granted_codes(["EU"]) == {"EU"} | EU_MEMBER_STATES
    assert granted_codes(["EEA"]) == {"EEA", "EU"} | EEA_MEMBER_STATES
    assert granted_codes(["DE", "US"]) == {"DE", "US"}
    assert "EEA" not in granted_codes(["EU"])  # EEA data may be Norwegian
    assert "NO" not in granted_codes(["EU"])


def test_a_key_caller_is_bound_to_its_grant() -> None:
    grant, _ = new_api_key("eu-storefront", ["EU"], ["eu-tiny"], rate=60)
    caller = Caller.of_key(grant)
    assert caller.identity == f"key:{grant.id}/eu-storefront"
    assert (caller.rate, caller.may_use("eu-tiny"), caller.may_use("eu-tiny-lora")) == (60, True, False)
    check_grant(OriginTag(("DE", "FR", "EU")), caller)
    with pytest.raises(OriginNotGranted) as raised:
        check_grant(OriginTag(("DE", "NO", "CH")), caller)
    assert raised.value.status_code == 403
    assert raised.value.code == "origin_not_granted"
    assert raised.value.param == "X-Data-Origin"
    assert raised.value.message == (
        f"The caller key:{grant.id}/eu-storefront may not send data of origin NO, CH; its grant covers EU."
    )


def test_no_builds_listed_means_every_build() -> None:
    caller = Caller.of_certificate(CertificateGrant(name="chatbot.us.example", origins=("US",)))
    assert caller.identity == "cert:chatbot.us.example"
    assert caller.builds is None
    assert caller.may_use("anything")


def test_two_credentials_get_what_both_grant() -> None:
    key = Caller.of_key(new_api_key("crm", ["FR", "IT"], ["eu-tiny", "eu-tiny-lora"], rate=100)[0])
    cert = Caller.of_certificate(
        CertificateGrant(name="crm.internal", origins=("EU",), builds=("eu-tiny",), rate=10)
    )
    both = key.joined(cert)
    assert both.identity == f"{key.identity}+cert:crm.internal"
    assert both.origins == {"FR", "IT"}
    assert both.builds == {"eu-tiny"}
    assert both.rate == 10
    disjoint = key.joined(
        Caller.of_certificate(CertificateGrant(name="x", origins=("DE",), builds=("us-tiny",)))
    )
    assert disjoint.origins == frozenset()
    assert disjoint.builds == frozenset()
    assert not disjoint.may_use("eu-tiny")
    with pytest.raises(OriginNotGranted, match="its grant covers no origins"):
        check_grant(OriginTag(("FR",)), disjoint)


def test_an_unbound_caller_is_not_checked() -> None:
    check_grant(OriginTag(("US",)), Caller("storefront-de"))
