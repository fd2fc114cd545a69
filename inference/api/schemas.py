"""OpenAI request and response bodies, as far as this server implements them.

Requests forbid unknown fields, as OpenAI does ("Unrecognized request argument supplied"); fields
that OpenAI knows but this server does not implement are accepted only at their neutral value, and
refused with a message naming them otherwise. Every constraint the server enforces on a request's shape
is stated in its JSON schema (the neutral values as `enum`s), so that a request valid by the published
schema is refused only for what it means (an unknown model, a context too long, blocked PII).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from inference.engines.base import ChatTurn, FinishReason
from inference.privacy.entities import KNOWN_TYPES

MAX_STOP_STRINGS = 8
MAX_PROMPTS = 64
MAX_PII_TYPES = 32
MAX_PII_VALUES = 64
PII_TYPES = "pii_types"
"""The key of the validation context that holds the entity types `pii_context` may name (the region's);
without it, the service's own types."""

StopString = Annotated[str, Field(min_length=1)]
PiiValue = Annotated[str, Field(min_length=1, max_length=512)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StreamOptions(_Request):
    include_usage: bool = Field(default=False, description="Send a last chunk with token usage.")


class TextPart(_Request):
    type: Literal["text"]
    text: str


class ChatMessage(_Request):
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[Annotated[TextPart, Field(discriminator="type")]] = Field(
        description="Text, or a list of text parts (other part types are not supported)."
    )
    name: str | None = Field(default=None, description="Accepted for compatibility; not shown to the model.")

    @property
    def text(self) -> str:
        return self.content if isinstance(self.content, str) else "".join(p.text for p in self.content)

    def to_turn(self, text: str) -> ChatTurn:
        """This message as the model sees it, with `text` (the screened content) as its content."""
        # OpenAI's `developer` role is the newer name for `system`.
        role = "system" if self.role == "developer" else self.role
        return ChatTurn(role=role, content=text)


def _unsupported(name: str, neutral: str) -> str:
    return f"{name} is not supported by this server; omit it or send {neutral}"


class SamplingFields(_Request):
    """Fields shared by chat and text completions."""

    model: str = Field(description="A build id or alias from GET /v1/models.")
    temperature: float | None = Field(default=None, ge=0.0, le=2.0, description="0 means greedy. Default 1.")
    top_p: float | None = Field(default=None, gt=0.0, le=1.0, description="Nucleus sampling mass. Default 1.")
    stop: StopString | Annotated[list[StopString], Field(max_length=MAX_STOP_STRINGS)] | None = Field(
        default=None, description=f"Up to {MAX_STOP_STRINGS} stop strings, none empty."
    )
    seed: int | None = Field(
        default=None, ge=0, lt=2**63, description="Same seed, same request: same output."
    )
    presence_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    frequency_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    n: int = Field(default=1, description="Only 1 is supported.", json_schema_extra={"enum": [1]})
    stream: bool = False
    stream_options: StreamOptions | None = None
    user: str | None = Field(default=None, max_length=256, description="Accepted for compatibility; unused.")
    pii_context: dict[str, Annotated[list[PiiValue], Field(max_length=MAX_PII_VALUES)]] | None = Field(
        default=None,
        max_length=MAX_PII_TYPES,
        # The service's types; the OpenAPI description of a server names its region's (`openapi.py`).
        json_schema_extra={"propertyNames": {"enum": [*sorted(KNOWN_TYPES)]}},
        description="Values the caller knows to be PII, by entity type (e.g. the CRM contact's name and "
        f"e-mail): always treated as PII wherever they appear. Up to {MAX_PII_TYPES} types the region "
        f"knows, {MAX_PII_VALUES} values per type.",
        examples=[{"PERSON": ["Anna Schmidt"], "EMAIL_ADDRESS": ["anna.schmidt@example.de"]}],
    )

    @field_validator("pii_context", mode="before")
    @classmethod
    def _known_types(cls, value: Any, info: ValidationInfo) -> Any:
        # Checked before the values, so that no error names a type the caller made up.
        known = (info.context or {}).get(PII_TYPES, KNOWN_TYPES)
        if isinstance(value, dict) and not set(known).issuperset(value):
            raise ValueError(
                f"every key must be an entity type this region knows: {', '.join(sorted(known))}"
            )
        return value

    @field_validator("n")
    @classmethod
    def _check_n(cls, value: int) -> int:
        if value != 1:
            raise ValueError(_unsupported("n other than 1", "n=1"))
        return value

    @property
    def stop_strings(self) -> tuple[str, ...]:
        return (self.stop,) if isinstance(self.stop, str) else tuple(self.stop or ())

    @property
    def include_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)


class ChatCompletionRequest(SamplingFields):
    """POST /v1/chat/completions."""

    messages: list[ChatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1, description="Completion length limit.")
    max_completion_tokens: int | None = Field(default=None, ge=1, description="Newer name of max_tokens.")
    logprobs: bool | None = Field(default=None, json_schema_extra={"enum": [False, None]})
    top_logprobs: int | None = Field(default=None, json_schema_extra={"enum": [0, None]})
    response_format: dict[str, Any] | None = Field(
        default=None, json_schema_extra={"enum": [{"type": "text"}, None]}
    )
    tools: list[dict[str, Any]] | None = Field(default=None, json_schema_extra={"enum": [[], None]})
    tool_choice: str | dict[str, Any] | None = Field(default=None, json_schema_extra={"enum": ["none", None]})
    parallel_tool_calls: bool | None = None
    store: bool | None = Field(default=None, json_schema_extra={"enum": [False, None]})
    metadata: dict[str, str] | None = None

    @field_validator("logprobs")
    @classmethod
    def _no_logprobs(cls, value: bool | None) -> bool | None:
        if value:
            raise ValueError(_unsupported("logprobs", "false"))
        return value

    @field_validator("top_logprobs")
    @classmethod
    def _no_top_logprobs(cls, value: int | None) -> int | None:
        if value:
            raise ValueError(_unsupported("top_logprobs", "0"))
        return value

    @field_validator("response_format")
    @classmethod
    def _text_only(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and value != {"type": "text"}:
            raise ValueError(_unsupported("response_format other than text", '{"type": "text"}'))
        return value

    @field_validator("tools")
    @classmethod
    def _no_tools(cls, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        if value:
            raise ValueError(_unsupported("tools", "no tools"))
        return value

    @field_validator("tool_choice")
    @classmethod
    def _no_tool_choice(cls, value: str | dict[str, Any] | None) -> str | dict[str, Any] | None:
        if value not in (None, "none"):
            raise ValueError(_unsupported("tool_choice", '"none"'))
        return value

    @field_validator("store")
    @classmethod
    def _never_store(cls, value: bool | None) -> bool | None:
        if value:
            raise ValueError(
                "store=true is refused: this service keeps no conversations, only its PII-free audit trail"
            )
        return value

    @property
    def requested_max_tokens(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens


class CompletionRequest(SamplingFields):
    """POST /v1/completions (the legacy text completion endpoint)."""

    prompt: str | Annotated[list[str], Field(min_length=1, max_length=MAX_PROMPTS)] = Field(
        description=f"A prompt or a list of 1 to {MAX_PROMPTS} prompts (token-id prompts are refused: they "
        "cannot be screened)."
    )
    max_tokens: int = Field(default=16, ge=1, description="Completion length limit (OpenAI's default: 16).")
    echo: bool = Field(default=False, description="Return the prompt before the completion.")
    suffix: str | None = Field(default=None, json_schema_extra={"enum": ["", None]})
    logprobs: int | None = Field(default=None, json_schema_extra={"enum": [0, None]})
    best_of: int | None = Field(default=None, json_schema_extra={"enum": [1, None]})

    @field_validator("suffix")
    @classmethod
    def _no_suffix(cls, value: str | None) -> str | None:
        if value:
            raise ValueError(_unsupported("suffix", "no suffix"))
        return value

    @field_validator("logprobs")
    @classmethod
    def _no_logprobs(cls, value: int | None) -> int | None:
        if value:
            raise ValueError(_unsupported("logprobs", "null"))
        return value

    @field_validator("best_of")
    @classmethod
    def _no_best_of(cls, value: int | None) -> int | None:
        if value not in (None, 1):
            raise ValueError(_unsupported("best_of other than 1", "best_of=1"))
        return value

    @property
    def prompts(self) -> list[str]:
        return [self.prompt] if isinstance(self.prompt, str) else self.prompt


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ResponseMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int
    message: ResponseMessage
    logprobs: None = None
    finish_reason: FinishReason | None


class ChatCompletionResponse(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    system_fingerprint: str
    choices: list[ChatChoice]
    usage: Usage


class CompletionChoice(BaseModel):
    index: int
    text: str
    logprobs: None = None
    finish_reason: FinishReason | None


class CompletionResponse(BaseModel):
    id: str
    object: Literal["text_completion"] = "text_completion"
    created: int
    model: str
    system_fingerprint: str
    choices: list[CompletionChoice]
    usage: Usage


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str
    root: str = Field(description="The build id this name resolves to.")
    parent: str | None = Field(
        default=None, description="For a LoRA adapter build, the id of the base build it runs on."
    )
    max_model_len: int
    jurisdiction: str
    digest: str = Field(description="sha256:<hex> of the build's pinned file listing.")


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class ErrorResponse(BaseModel):
    """The OpenAI error shape, for every error this server returns."""

    error: ErrorDetail
