"""Presidio anonymizer operators of our own: pseudonyms restored in answers, a keyed hash, and
authenticated encryption (Presidio's built-in `encrypt` is AES-CBC without integrity)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from inference.privacy.presidio import InvalidParamError, Operator, OperatorType
from inference.privacy.vault import PseudonymVault

_NONCE = 12


def derive_keys(master: bytes) -> tuple[bytes, bytes]:
    """Separate keys for the hash and the cipher, derived from the one PII key (HKDF-SHA256)."""

    def derive(label: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master)

    return derive(b"regional-llm pii hash v1"), derive(b"regional-llm pii encrypt v1")


def _vault(params: dict[str, Any]) -> PseudonymVault:
    vault = params.get("vault")
    if not isinstance(vault, PseudonymVault):
        raise InvalidParamError("a PseudonymVault is required in params['vault']")
    return vault


def _key(params: dict[str, Any]) -> bytes:
    key = params.get("key")
    if not isinstance(key, bytes) or len(key) != 32:
        raise InvalidParamError("a 32-byte key is required in params['key']")
    return key


class _Anonymizer(Operator):
    def operator_type(self) -> OperatorType:
        return OperatorType.Anonymize


class Pseudonymize(_Anonymizer):
    """`<TYPE_n>`, consistent within the vault's request."""

    def operate(self, text: str, params: dict[str, Any] | None = None) -> str:
        params = params or {}
        vault = params.get("vault")
        if not isinstance(vault, PseudonymVault):  # `_vault`, inline: this runs once per entity
            raise InvalidParamError("a PseudonymVault is required in params['vault']")
        return vault.pseudonym(str(params["entity_type"]), text)

    def validate(self, params: dict[str, Any] | None = None) -> None:
        _vault(params or {})

    def operator_name(self) -> str:
        return "pseudonymize"


class _KeyedToken(_Anonymizer):
    """A token made with the PII key, remembered in the request's vault so that answers can be restored."""

    def operate(self, text: str, params: dict[str, Any] | None = None) -> str:
        params = params or {}
        token = self.token(str(params["entity_type"]), text, _key(params))
        _vault(params).remember(token, text)
        return token

    def validate(self, params: dict[str, Any] | None = None) -> None:
        _key(params or {})
        _vault(params or {})

    def token(self, entity_type: str, text: str, key: bytes) -> str:
        raise NotImplementedError


class KeyedHash(_KeyedToken):
    """`<TYPE_h` + 12 hex digits of HMAC-SHA256 + `>`: the same value gives the same token in every
    request, so that analytics can count without seeing; without the key it cannot be reversed."""

    def token(self, entity_type: str, text: str, key: bytes) -> str:
        normalized = " ".join(text.split()).casefold().encode()
        digest = hmac.new(key, entity_type.encode() + b"\x00" + normalized, hashlib.sha256).hexdigest()
        return f"<{entity_type}_h{digest[:12]}>"

    def operator_name(self) -> str:
        return "keyed_hash"


class AesGcmEncrypt(_KeyedToken):
    """`<TYPE_e` + base64url(nonce, ciphertext, tag) + `>`: AES-256-GCM with the entity type as
    associated data, so a token cannot be passed off as another type."""

    def token(self, entity_type: str, text: str, key: bytes) -> str:
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(key).encrypt(nonce, text.encode(), entity_type.encode())
        return f"<{entity_type}_e{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}>"

    def operator_name(self) -> str:
        return "aes_gcm_encrypt"


class MaskKeepingShape(_Anonymizer):
    """Every letter and digit but the last `keep_last` replaced by `masking_char`; separators kept, so
    the shape stays (`**** **** **** **** **30 00`)."""

    def operate(self, text: str, params: dict[str, Any] | None = None) -> str:
        params = params or {}
        char, keep_last = str(params["masking_char"]), int(params["keep_last"])
        positions = [i for i, ch in enumerate(text) if ch.isalnum()]
        hidden = set(positions[: max(0, len(positions) - keep_last)])
        return "".join(char if i in hidden else ch for i, ch in enumerate(text))

    def validate(self, params: dict[str, Any] | None = None) -> None:
        params = params or {}
        if len(str(params.get("masking_char", ""))) != 1 or not isinstance(params.get("keep_last"), int):
            raise InvalidParamError("masking_char (one character) and keep_last (an int) are required")

    def operator_name(self) -> str:
        return "mask_keeping_shape"


def decrypt_token(token: str, key: bytes) -> tuple[str, str]:
    """(entity type, value) of a token made by `AesGcmEncrypt` with the encryption key; raises on
    a wrong key or a changed token."""
    body = token.removeprefix("<").removesuffix(">")
    # Entity types are upper case, so the first "_e" ends the type (the payload may contain "_e" too).
    entity_type, _, payload = body.partition("_e")
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    value = AESGCM(key).decrypt(raw[:_NONCE], raw[_NONCE:], entity_type.encode())
    return entity_type, value.decode()
