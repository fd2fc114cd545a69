"""The service's error tree.

Services raise these; the API renders each once, at the edge, in the OpenAI error shape
`{"error": {"message", "type", "param", "code"}}`. Messages never carry prompt or answer text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar


class ServiceError(Exception):
    """Base of every error a client may see. Each concrete subclass fixes one HTTP status, OpenAI error
    type and `code`, so that the set of (status, code) pairs a client can meet is read off the classes
    (the OpenAPI description and docs/contracts.md both follow them)."""

    status_code: ClassVar[int] = 500
    error_type: ClassVar[str] = "server_error"
    code: ClassVar[str] = ""
    """Empty on the abstract classes of the tree, which are never raised themselves."""
    refusal: ClassVar[bool | None] = None
    """Whether the audit trail records the error as a refusal (a decision of the service) rather than a
    failure; unset, every 4xx is a refusal and every 5xx a failure."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        if not type(self).code:
            raise TypeError(f"{type(self).__name__} is abstract: raise one of its subclasses")
        super().__init__(message)
        self.message = message
        self.param = param

    @property
    def refused(self) -> bool:
        """Whether the request was refused by decision (policy, limits, load) rather than failed."""
        return self.refusal if self.refusal is not None else self.status_code < 500

    @property
    def headers(self) -> Mapping[str, str]:
        """Headers the error's response carries besides the body (`Retry-After`, `WWW-Authenticate`)."""
        return {"Retry-After": "5"} if self.status_code == 503 else {}

    def to_body(self) -> dict[str, dict[str, str | None]]:
        """The OpenAI-shaped error body."""
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        }


class InvalidRequest(ServiceError):
    """The request is malformed or asks for something this server does not do (400)."""

    status_code = 400
    error_type = "invalid_request_error"
    code = "invalid_request"


class Unauthenticated(ServiceError):
    """No valid identity: the API key is missing, wrong, revoked or expired, or the client certificate
    has no grant (401). The message never quotes the credential."""

    status_code = 401
    error_type = "invalid_request_error"
    code = "invalid_api_key"

    def __init__(self, message: str, *, identity: str = "anonymous") -> None:
        super().__init__(message)
        self.identity = identity
        """Who the audit trail names for the refusal: `anonymous`, or the key id or certificate name
        that was presented (never the secret)."""

    @property
    def headers(self) -> Mapping[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="regional-llm"'}


class RateLimited(ServiceError):
    """The caller's grant allows fewer requests per minute (429), with the seconds to wait."""

    status_code = 429
    error_type = "requests"
    code = "rate_limit_exceeded"

    def __init__(self, message: str, *, retry_after: int, identity: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.identity = identity

    @property
    def headers(self) -> Mapping[str, str]:
        return {"Retry-After": str(self.retry_after)}


class InvalidJson(InvalidRequest):
    """The request body is not valid JSON, or not a JSON object (400)."""

    code = "invalid_json"


class ContextLengthExceeded(InvalidRequest):
    """The prompt and the completion asked for do not fit in the build's context length (400)."""

    code = "context_length_exceeded"


class RequestTooLarge(InvalidRequest):
    """The request body is larger than the region allows (413)."""

    status_code = 413
    code = "request_too_large"


class PolicyViolation(ServiceError):
    """The region's policy or the caller's grant forbids processing this request (403)."""

    status_code = 403
    error_type = "permission_error"


class ModelNotFound(ServiceError):
    """The requested model build is not served by this region (404)."""

    status_code = 404
    error_type = "invalid_request_error"
    code = "model_not_found"


class RouteNotFound(ServiceError):
    """No such endpoint (404)."""

    status_code = 404
    error_type = "invalid_request_error"
    code = "not_found"


class MethodNotAllowed(ServiceError):
    """The endpoint exists but not with this HTTP method (405); `Allow` names the methods it takes."""

    status_code = 405
    error_type = "invalid_request_error"
    code = "method_not_allowed"

    def __init__(self, message: str, *, allow: Iterable[str]) -> None:
        super().__init__(message)
        self.allow = tuple(sorted(allow))

    @property
    def headers(self) -> Mapping[str, str]:
        return {"Allow": ", ".join(self.allow)} if self.allow else {}


class RequestTimeout(InvalidRequest):
    """The request's head or body did not arrive in time (408); the connection is closed."""

    status_code = 408
    code = "request_timeout"


class RequestHeadTooLarge(InvalidRequest):
    """The request line and header fields, or a chunked body's framing and trailer fields, exceed the
    server's limits (431); the connection is closed."""

    status_code = 431
    code = "request_header_fields_too_large"


class EngineUnavailable(ServiceError):
    """The engine cannot take the request now (503): loading, shutting down or failed."""

    status_code = 503
    error_type = "server_error"
    code = "engine_unavailable"


class EngineFailure(ServiceError):
    """The engine failed while generating (500). The client gets no internals."""

    status_code = 500
    error_type = "server_error"
    code = "engine_error"


class InternalError(ServiceError):
    """The server failed to process the request (500); the message names the request id only."""

    status_code = 500
    error_type = "server_error"
    code = "internal_error"


class AuditUnavailable(ServiceError):
    """The audit store cannot take records: requests are refused rather than served unaudited (503)."""

    status_code = 503
    error_type = "server_error"
    code = "audit_unavailable"


class ConfigError(Exception):
    """A configuration file is invalid. `str()` is one line naming file, field and value."""

    def __init__(self, file: str, field: str | None, message: str) -> None:
        self.file = file
        self.field = field
        self.detail = message
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {message}")


class BuildVerificationError(Exception):
    """A model build's files do not match its manifest. `str()` names the build and the file."""
