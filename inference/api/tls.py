"""TLS for the server: client certificates requested, and the verified one handed to the app.

uvicorn verifies a client certificate during the handshake (against `ssl_ca_certs`) but does not pass it
on to the application. The server's protocol classes (`api/protocol.py`) do, as the ASGI TLS extension
describes (`scope["extensions"]["tls"]["client_cert_chain"]`): once per connection, after the handshake,
they wrap the connection's app with `with_tls` so that every request on it carries the certificate.

Client certificates are requested, not required, at the TLS layer (`CERT_OPTIONAL`): kubelet probes
cannot present one, so `/health` and `/ready` stay reachable; a certificate that is presented must
still verify (a wrong CA or an expired certificate ends the handshake), and every other endpoint
requires an identity at the application layer.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID
from starlette.types import ASGIApp, Receive, Scope, Send

_TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


def server_context(certfile: Path, keyfile: Path | None, client_ca: Path | None) -> ssl.SSLContext:
    """The server's TLS context as uvicorn will build it from the same files; built at start to check
    them (raises OSError or ssl.SSLError)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile, keyfile)
    if client_ca is not None:
        context.load_verify_locations(client_ca)
        context.verify_mode = ssl.CERT_OPTIONAL
    return context


def tls_extension(transport: asyncio.BaseTransport) -> dict[str, Any] | None:
    """The ASGI TLS extension of a connection, or None if it is not TLS."""
    ssl_object = transport.get_extra_info("ssl_object")
    if not isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket):
        return None
    der = ssl_object.getpeercert(binary_form=True)
    chain = [ssl.DER_cert_to_PEM_cert(der)] if der else []
    try:
        subject = certificate_subject(chain[0]) if chain else None
    except ValueError:  # verified by OpenSSL but beyond what cryptography parses: the app refuses it
        subject = None
    return {
        "server_cert": None,
        "client_cert_chain": chain,
        "client_cert_name": subject,
        "client_cert_error": None,  # a certificate that did not verify ended the handshake
        "tls_version": _TLS_VERSIONS.get(ssl_object.version() or ""),
        "cipher_suite": None,
    }


def with_tls(app: ASGIApp, tls: dict[str, Any]) -> ASGIApp:
    """`app` with the connection's TLS extension in the scope of every request."""

    async def app_with_tls(scope: Scope, receive: Receive, send: Send) -> None:
        extensions = dict(scope.get("extensions") or {})
        extensions["tls"] = tls
        scope["extensions"] = extensions
        await app(scope, receive, send)

    return app_with_tls


@functools.lru_cache(maxsize=1024)
def _certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def certificate_subject(pem: str) -> str:
    """The subject as an RFC 4514 string (`CN=chatbot.us.example,O=Example`)."""
    return _certificate(pem).subject.rfc4514_string()


def certificate_names(pem: str) -> tuple[str, ...]:
    """The names a grant may match: the subject's common names, then the DNS, URI and e-mail subject
    alternative names."""
    certificate = _certificate(pem)
    names = [str(a.value) for a in certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    try:
        alternatives = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return tuple(names)
    for kind in (x509.DNSName, x509.UniformResourceIdentifier, x509.RFC822Name):
        names.extend(str(value) for value in alternatives.get_values_for_type(kind))
    return tuple(names)


def peer_certificate(scope: Scope) -> str | None:
    """The verified client certificate (PEM) of a request's connection, if it presented one."""
    extensions = scope.get("extensions") or {}
    tls = extensions.get("tls") if isinstance(extensions, dict) else None
    chain = tls.get("client_cert_chain") if isinstance(tls, dict) else None
    return chain[0] if chain else None
