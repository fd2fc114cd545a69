"""The vLLM engine: vLLM's async engine (`AsyncLLM`) inside the server process.

vLLM schedules and batches every request continuously (its engine core runs in a child process, as
under `vllm serve`); this module maps our requests onto it. Prompts are token ids rendered by
`PromptEncoder`, so both engines see the same tokens; sampling, stop strings and seeds are vLLM's own.
Outputs stream as deltas; closing the iterator (client gone, or a policy stage refusing mid-stream)
aborts the request inside vLLM. The engine is configured from the build manifest's `engine.vllm`
section; LoRA adapter builds verified beside the base build are loaded at start.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from inference.offline import forbid_downloads

# Hugging Face libraries read their offline switch when first imported: set it before they are.
forbid_downloads()

from transformers import AutoTokenizer
from vllm import SamplingParams as VllmSamplingParams
from vllm.engine.arg_utils import AsyncEngineArgs
from vllm.inputs import TokensPrompt
from vllm.lora.request import LoRARequest
from vllm.sampling_params import RequestOutputKind
from vllm.v1.engine.async_llm import AsyncLLM
from vllm.v1.engine.exceptions import EngineDeadError

from inference.engines.base import (
    BuildRejected,
    ChatTurn,
    EngineConfig,
    EngineStats,
    FinishReason,
    GenerationDelta,
    GenerationRequest,
    SamplingParams,
    VerifiedAdapter,
    queued_bound,
)
from inference.engines.prompts import PromptEncoder
from inference.errors import EngineFailure, EngineUnavailable
from inference.logs import exception_summary

log = logging.getLogger(__name__)

_FINISH: dict[str, FinishReason] = {"stop": "stop", "length": "length", "abort": "abort"}


def engine_args(config: EngineConfig) -> AsyncEngineArgs:
    """vLLM's engine arguments for a verified build, from its manifest and the process settings."""
    build, options = config.build, config.build.engine.vllm
    extra: dict[str, Any] = {}
    if config.max_num_seqs is not None:
        extra["max_num_seqs"] = config.max_num_seqs
    if options.kv_cache_memory_bytes is not None:
        extra["kv_cache_memory_bytes"] = options.kv_cache_memory_bytes
    if config.adapters:
        extra.update(enable_lora=True, max_loras=options.max_loras, max_lora_rank=options.max_lora_rank)
    return AsyncEngineArgs(
        model=str(config.folder),
        tokenizer=str(config.folder),
        served_model_name=build.id,
        dtype=options.dtype,
        max_model_len=build.context_length,
        gpu_memory_utilization=options.gpu_memory_utilization,
        tensor_parallel_size=options.tensor_parallel_size,
        quantization=options.quantization,
        enforce_eager=options.enforce_eager,
        load_format=options.load_format,
        trust_remote_code=False,
        # Request logs may quote prompts. Stats stay on, as under `vllm serve`: they time the queue.
        enable_log_requests=False,
        disable_log_stats=False,
        **extra,
    )


def adapter_rank(adapter: VerifiedAdapter) -> int:
    """The rank `r` of a PEFT adapter, from its verified `adapter_config.json`."""
    path = adapter.folder / "adapter_config.json"
    try:
        rank = json.loads(path.read_text(encoding="utf-8"))["r"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BuildRejected(
            f"adapter build {adapter.build.id}: adapter_config.json is missing or has no rank 'r'"
        ) from None
    if not isinstance(rank, int) or rank < 1:
        raise BuildRejected(f"adapter build {adapter.build.id}: rank 'r' must be a positive integer")
    return rank


def sampling_params(params: SamplingParams) -> VllmSamplingParams:
    """Our sampling parameters as vLLM's, streaming deltas."""
    return VllmSamplingParams(
        n=1,
        max_tokens=params.max_tokens,
        temperature=params.temperature,
        top_p=params.top_p,
        seed=params.seed,
        stop=list(params.stop) or None,
        presence_penalty=params.presence_penalty,
        frequency_penalty=params.frequency_penalty,
        output_kind=RequestOutputKind.DELTA,
    )


def _queued_seconds(output: Any) -> float | None:
    """How long vLLM's scheduler held the request before running it (its stats, on its own clock)."""
    stats = getattr(output, "metrics", None)
    queued_ts = getattr(stats, "queued_ts", 0.0)
    scheduled_ts = getattr(stats, "scheduled_ts", 0.0)
    if not queued_ts or not scheduled_ts:
        return None
    return max(0.0, float(scheduled_ts) - float(queued_ts))


class VllmEngine:
    """Serves one build, and its LoRA adapter builds, with vLLM."""

    serves_adapters = True

    def __init__(self, config: EngineConfig) -> None:
        self._config = config
        self._engine: AsyncLLM | None = None
        self._prompts: PromptEncoder | None = None
        self._adapters: dict[str, LoRARequest] = {}
        self._lock = threading.Lock()
        self._waiting = 0
        self._running = 0
        self._stopping = False
        self._bound: int | None = None

    async def start(self) -> None:
        config, options = self._config, self._config.build.engine.vllm
        for adapter in config.adapters:
            rank = adapter_rank(adapter)
            if rank > options.max_lora_rank:
                raise BuildRejected(
                    f"adapter build {adapter.build.id} has rank {rank}, above engine.vllm.max_lora_rank "
                    f"({options.max_lora_rank}) of build {config.build.id}"
                )
        if options.load_format == "dummy":
            log.warning(
                "build %s loads random weights (load_format: dummy): benchmarks only", config.build.id
            )
        tokenizer = AutoTokenizer.from_pretrained(config.folder, local_files_only=True)
        self._prompts = PromptEncoder(tokenizer, config.build, config.folder)
        engine = AsyncLLM.from_engine_args(engine_args(config))
        self._engine = engine
        # vLLM queues without a bound of its own here; ours counts from its effective max_num_seqs.
        self._bound = queued_bound(config, engine.vllm_config.scheduler_config.max_num_seqs)
        # Ids from 1: vLLM reserves 0. Loaded now so that a broken adapter stops the start, not a request.
        for number, adapter in enumerate(config.adapters, start=1):
            lora = LoRARequest(adapter.build.id, number, str(adapter.folder))
            await engine.add_lora(lora)
            self._adapters[adapter.build.id] = lora

    async def shutdown(self) -> None:
        self._stopping = True
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.shutdown()

    def stats(self) -> EngineStats:
        engine = self._engine
        # `errored`: the engine core process died, or the loop reading its outputs ended; neither recovers.
        dead = engine is not None and not self._stopping and engine.errored
        healthy = engine is not None and not self._stopping and not dead
        with self._lock:
            return EngineStats(
                self._running, self._waiting, healthy, max_num_queued_reqs=self._bound, dead=dead
            )

    async def encode_chat(self, turns: Sequence[ChatTurn]) -> list[int]:
        return await self._encoder().encode_chat(turns)

    async def encode_text(self, text: str) -> list[int]:
        return await self._encoder().encode_text(text)

    def _encoder(self) -> PromptEncoder:
        if self._prompts is None or self._engine is None:
            raise EngineUnavailable("The engine is not running; retry on another replica.")
        return self._prompts

    async def generate(self, request: GenerationRequest) -> AsyncGenerator[GenerationDelta, None]:
        engine = self._engine
        if engine is None or self._stopping or engine.errored:
            raise EngineUnavailable("The engine is not running; retry on another replica.")
        lora = None
        if request.adapter is not None:
            lora = self._adapters.get(request.adapter)
            if lora is None:
                raise EngineFailure(f"Adapter build {request.adapter} is not loaded in this engine.")
        stream = engine.generate(
            TokensPrompt(prompt_token_ids=list(request.prompt_token_ids)),
            sampling_params(request.sampling),
            request.request_id,
            lora_request=lora,
        )
        with self._lock:
            self._waiting += 1
        started = finished = False
        first = True
        try:
            async for output in stream:
                if not started:
                    started = True
                    with self._lock:
                        self._waiting -= 1
                        self._running += 1
                completion = output.outputs[0]
                finish: FinishReason | None = None
                if output.finished:
                    finished = True
                    finish = _FINISH.get(completion.finish_reason or "abort")
                    if finish is None:
                        raise EngineFailure(
                            f"The engine failed while generating (request {request.request_id})."
                        )
                queued = _queued_seconds(output) if first else None
                first = False
                yield GenerationDelta(completion.text, len(completion.token_ids), finish, queued)
                if finished:
                    return
            # The stream ended without a finished output: vLLM shut down under it.
            raise EngineUnavailable("The engine stopped while generating; retry on another replica.")
        except EngineDeadError:
            log.error("vLLM engine died while generating request %s", request.request_id)
            raise EngineUnavailable("The engine stopped; retry on another replica.") from None
        except (EngineFailure, EngineUnavailable):
            raise
        except Exception as exc:
            # A library exception's message may quote its input; log only its type and place.
            log.error("generation failed for request %s: %s", request.request_id, exception_summary(exc))
            raise EngineFailure(
                f"The engine failed while generating (request {request.request_id})."
            ) from None
        finally:
            with self._lock:
                if started:
                    self._running -= 1
                else:
                    self._waiting -= 1
            if not finished:
                # Closing vLLM's stream aborts the request inside the engine (its GeneratorExit path).
                await stream.aclose()
