"""The engine contract. The API and policy code depend on this module only.

An engine owns the tokenizer and the model of one verified build. The API turns a request into prompt
token ids with `encode_chat` or `encode_text`, then iterates `generate`, which yields text deltas as
tokens are produced. Closing the iterator (the client went away, or a later stage refused the request)
aborts the request inside the engine.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from inference.builds.manifest import AdapterBuild, ModelBuild

FinishReason = Literal["stop", "length", "abort"]


@dataclass(frozen=True)
class ChatTurn:
    """One message of a conversation, as text."""

    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class SamplingParams:
    """How to pick tokens. `temperature == 0` means greedy decoding."""

    max_tokens: int
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0


@dataclass(frozen=True)
class GenerationRequest:
    """One sequence to generate."""

    request_id: str
    prompt_token_ids: tuple[int, ...]
    sampling: SamplingParams
    adapter: str | None = None
    """Id of a verified LoRA adapter build of `EngineConfig.adapters`; None for the base build alone."""


@dataclass(frozen=True)
class GenerationDelta:
    """New output since the previous delta. `finish_reason` is set on the last one only."""

    text: str
    new_tokens: int
    finish_reason: FinishReason | None = None
    queued_seconds: float | None = None
    """On the first delta, if the engine knows: how long the request waited before it was scheduled."""


@dataclass(frozen=True)
class EngineStats:
    """What the engine is doing now, for metrics and readiness."""

    running: int
    waiting: int
    healthy: bool
    max_num_queued_reqs: int | None = None
    """The most sequences the server should hold for this engine at once, running plus waiting (None:
    no bound); the API refuses requests beyond it."""
    dead: bool = False
    """The engine failed for good (its process died): only restarting the server brings it back, so
    liveness fails. An engine that is loading or shutting down is unhealthy, never dead."""


class BuildRejected(Exception):
    """A build does not fit the engine it was given (an adapter rank above the base build's limit, an
    adapter for an engine that serves none). Its message names builds and fields only, never data."""


@dataclass(frozen=True)
class VerifiedAdapter:
    """A LoRA adapter build whose files were verified in `folder`."""

    build: AdapterBuild
    folder: Path


@dataclass(frozen=True)
class EngineConfig:
    """What every engine is given: the verified build and its folder, its verified adapters, plus
    process-level settings. `max_num_seqs` None leaves the engine's own default."""

    build: ModelBuild
    folder: Path
    threads: int
    max_num_seqs: int | None
    adapters: tuple[VerifiedAdapter, ...] = ()
    max_num_queued_reqs: int | None = None
    """Sequences held at once, running plus waiting; None: `QUEUE_DEPTH_FACTOR` times `max_num_seqs`."""


# Unset, a replica keeps twice as many sequences waiting as it runs: enough to keep the engine busy
# between requests, few enough that an accepted request starts within about two generation times.
QUEUE_DEPTH_FACTOR = 3


def queued_bound(config: EngineConfig, max_num_seqs: int) -> int:
    """The bound on sequences held at once for an engine that runs `max_num_seqs` of them."""
    return config.max_num_queued_reqs or QUEUE_DEPTH_FACTOR * max_num_seqs


class Engine(Protocol):
    """An inference engine serving one model build (and, if `serves_adapters`, its LoRA adapters)."""

    serves_adapters: bool

    async def start(self) -> None:
        """Load the model. Raises on failure; the server does not start."""
        ...

    async def shutdown(self) -> None:
        """Abort what is running and release the model."""
        ...

    def stats(self) -> EngineStats:
        """Current load and health."""
        ...

    async def encode_chat(self, turns: Sequence[ChatTurn]) -> list[int]:
        """Render a conversation with the build's chat template and tokenize it, ready for a reply."""
        ...

    async def encode_text(self, text: str) -> list[int]:
        """Tokenize a raw completion prompt."""
        ...

    def generate(self, request: GenerationRequest) -> AsyncGenerator[GenerationDelta, None]:
        """Stream the output of one request. Closing the iterator aborts the request."""
        ...
