"""The privacy stage: each policy action, keys, and failing closed."""

from __future__ import annotations

import re

import pytest
from cryptography.exceptions import InvalidTag

from inference.privacy.detector import PiiDetector
from inference.privacy.entities import EntitySpan
from inference.privacy.operators import decrypt_token, derive_keys
from inference.privacy.policy import PrivacyPolicy
from inference.privacy.screen import MissingPiiKey, PiiBlocked, PrivacyCheckFailed, PrivacyScreen

KEY = bytes(range(32))
TEXT = (
    "Hallo, hier ist Anna Schmidt (anna.schmidt@example.de). Bitte erstatten Sie 49,99 EUR auf "
    "DE89 3704 0044 0532 0130 00. Meine Nummer: +49 30 12345678."
)


def _screen(detector: PiiDetector, key: bytes | None = KEY, **entities: str) -> PrivacyScreen:
    return PrivacyScreen(detector, PrivacyPolicy(entities=entities), key)  # type: ignore[arg-type]


def test_default_policy_pseudonymizes_in_reading_order(detector: PiiDetector) -> None:
    screen = PrivacyScreen(detector, PrivacyPolicy(), None)
    result = screen.screen([TEXT, "Frau Schmidt, anna.schmidt@example.de"], region_id="eu")
    assert result.texts[0].text == (
        "Hallo, hier ist <PERSON_1> (<EMAIL_ADDRESS_1>). Bitte erstatten Sie 49,99 EUR auf <IBAN_CODE_1>. "
        "Meine Nummer: <PHONE_NUMBER_1>."
    )
    # The same value gets the same placeholder in every message of the request.
    assert result.texts[1].text == "Frau <PERSON_2>, <EMAIL_ADDRESS_1>"
    assert result.vault.restore(result.texts[0].text) == TEXT
    assert result.counts[("PERSON", "pseudonymize")] == 2


@pytest.mark.parametrize(
    ("text", "blocked"),
    [
        ("Meine Karte 4111 1111 1111 1111 wurde belastet.", "CREDIT_CARD"),
        ("My SSN is 536-22-1234, card 5555-5555-5555-4444.", "CREDIT_CARD, US_SSN"),
    ],
)
def test_blocked_types_refuse_the_request_naming_types_only(
    detector: PiiDetector, text: str, blocked: str
) -> None:
    screen = PrivacyScreen(detector, PrivacyPolicy(), None)
    with pytest.raises(PiiBlocked) as raised:
        screen.screen(["harmless", text], region_id="eu-central-1")
    assert raised.value.status_code == 422
    assert raised.value.code == "pii_blocked"
    assert raised.value.message == (
        f"This request contains data that region eu-central-1 does not accept: {blocked}. "
        "Remove it and send the request again."
    )


def test_blocked_types_are_redacted_where_nothing_can_be_refused(detector: PiiDetector) -> None:
    screen = PrivacyScreen(detector, PrivacyPolicy(), None)
    result = screen.screen(["Karte 4111 1111 1111 1111."], region_id="eu", redact_blocked=True)
    assert result.texts[0].text == "Karte <CREDIT_CARD>."


def test_mask_keeps_the_shape_and_the_last_digits(detector: PiiDetector) -> None:
    result = _screen(detector, IBAN_CODE="mask").screen([TEXT], region_id="eu")
    assert "auf **** **** **** **** **30 00." in result.texts[0].text


def test_keyed_hash_is_stable_across_requests_and_depends_on_the_key(detector: PiiDetector) -> None:
    first = _screen(detector, EMAIL_ADDRESS="hash").screen([TEXT], region_id="eu").texts[0].text
    second = _screen(detector, EMAIL_ADDRESS="hash").screen(["Mail: ANNA.SCHMIDT@example.de"], region_id="eu")
    token = re.search(r"<EMAIL_ADDRESS_h[0-9a-f]{12}>", first)
    assert token is not None
    assert token.group() in second.texts[0].text
    other_key = _screen(detector, bytes(32), EMAIL_ADDRESS="hash").screen([TEXT], region_id="eu")
    assert token.group() not in other_key.texts[0].text


def test_encrypt_is_authenticated_and_bound_to_the_type(detector: PiiDetector) -> None:
    result = _screen(detector, IBAN_CODE="encrypt").screen([TEXT], region_id="eu")
    token = re.search(r"<IBAN_CODE_e[A-Za-z0-9_-]+>", result.texts[0].text)
    assert token is not None
    _, cipher_key = derive_keys(KEY)
    assert decrypt_token(token.group(), cipher_key) == ("IBAN_CODE", "DE89 3704 0044 0532 0130 00")
    assert result.vault.restore(result.texts[0].text) == TEXT
    with pytest.raises(InvalidTag):
        decrypt_token(token.group().replace("<IBAN_CODE_e", "<PERSON_e"), cipher_key)
    with pytest.raises(InvalidTag):
        decrypt_token(token.group(), bytes(32))


def test_operators_applied_in_one_pass_match_presidios_engine(detector: PiiDetector) -> None:
    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import RecognizerResult

    from inference.bench.privacy_corpus import load_corpus
    from inference.privacy.operators import AesGcmEncrypt, KeyedHash, MaskKeepingShape, Pseudonymize
    from inference.privacy.vault import PseudonymVault

    screen = _screen(
        detector, IBAN_CODE="mask", EMAIL_ADDRESS="hash", PHONE_NUMBER="allow", CREDIT_CARD="block"
    )
    engine = AnonymizerEngine()  # type: ignore[no-untyped-call]
    for operator in (Pseudonymize, KeyedHash, AesGcmEncrypt, MaskKeepingShape):
        engine.add_anonymizer(operator)
    for record in load_corpus():
        spans = detector.detect(record.text)
        ours = screen.anonymize(record.text, spans, PseudonymVault())
        theirs_vault = PseudonymVault()
        # Presidio replaces from the end; give it the pseudonyms in reading order first, as we do.
        for span in spans:
            if screen.policy.action_for(span.type) == "pseudonymize":
                theirs_vault.pseudonym(span.type, record.text[span.start : span.end])
        results = [RecognizerResult(s.type, s.start, s.end, 1.0) for s in spans]
        operators = {s.type: screen.operator_config(s.type, theirs_vault) for s in spans}
        theirs = engine.anonymize(record.text, results, operators, merge_entities_with_spaces=False).text
        assert ours == theirs, record.id


def test_allow_leaves_the_value(detector: PiiDetector) -> None:
    result = _screen(detector, PHONE_NUMBER="allow").screen([TEXT], region_id="eu")
    assert "+49 30 12345678" in result.texts[0].text


def test_keyed_actions_need_a_key(detector: PiiDetector) -> None:
    with pytest.raises(MissingPiiKey):
        _screen(detector, None, EMAIL_ADDRESS="hash")
    PrivacyScreen(detector, PrivacyPolicy(), None)  # no keyed action: no key needed


def test_caller_values_are_pii_wherever_they_appear(detector: PiiDetector) -> None:
    screen = PrivacyScreen(detector, PrivacyPolicy(), None)
    known = {"PERSON": ["Zbigniew Wróblewski"], "LOCATION": ["Hauptstraße 5, 10115 Berlin"]}
    text = "zbigniew   wróblewski wohnt in der Hauptstraße 5, 10115 Berlin. Herr Wróblewski zahlt bar."
    result = screen.screen([text], known, region_id="eu")
    assert result.texts[0].text == "<PERSON_1> wohnt in der <LOCATION_1>. Herr <PERSON_2> zahlt bar."


def test_a_failing_detector_refuses_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, known: object = None) -> list[EntitySpan]:
        raise RuntimeError(f"cannot handle {text}")

    detector = PiiDetector()
    monkeypatch.setattr(detector, "detect", broken)
    screen = PrivacyScreen(detector, PrivacyPolicy(), None)
    with pytest.raises(PrivacyCheckFailed) as raised:
        screen.screen(["Anna Schmidt"], region_id="eu")
    assert raised.value.status_code == 500
    assert "Anna" not in raised.value.message
    assert raised.value.__cause__ is None
