"""The transformers engine: the CPU reference engine, also used for the embedded demo model.

Each request runs its own decode loop (prefill, then one token per step with a KV cache) on a worker
thread, so the event loop never waits on torch. At most `max_num_seqs` requests run at once; the rest
queue. Deltas reach the event loop through an asyncio queue; closing the iterator sets a flag that the
worker checks before every step, so an abandoned request stops within one token, and one still queued
leaves the queue without running.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from inference.offline import forbid_downloads

# Hugging Face libraries read their offline switch when first imported: set it before they are.
forbid_downloads()

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, DynamicCache

from inference.engines.base import (
    ChatTurn,
    EngineConfig,
    EngineStats,
    FinishReason,
    GenerationDelta,
    GenerationRequest,
    queued_bound,
)
from inference.engines.prompts import PromptEncoder
from inference.engines.sampling import new_generator, pick_token
from inference.engines.text import IncrementalDetokenizer, StopMatcher
from inference.errors import EngineFailure, EngineUnavailable
from inference.logs import exception_summary

log = logging.getLogger(__name__)

_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}

Emit = Callable[[GenerationDelta | BaseException], None]


# Without a setting, as many requests generate at once as a small CPU machine serves well.
DEFAULT_MAX_NUM_SEQS = 4


class TransformersEngine:
    """Serves one build with Hugging Face transformers on the CPU (or whatever torch device is default).
    It serves no LoRA adapters: adapter builds need the vLLM engine."""

    serves_adapters = False

    def __init__(self, config: EngineConfig) -> None:
        self._config = config
        self._max_num_seqs = config.max_num_seqs or DEFAULT_MAX_NUM_SEQS
        self._bound = queued_bound(config, self._max_num_seqs)
        self._model: Any = None
        self._tokenizer: Any = None
        self._prompts: PromptEncoder | None = None
        self._eos: frozenset[int] = frozenset()
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._running = 0
        self._waiting = 0
        self._healthy = False

    async def start(self) -> None:
        await asyncio.to_thread(self._load)
        self._pool = ThreadPoolExecutor(max_workers=self._max_num_seqs, thread_name_prefix="generate")
        self._healthy = True

    def _load(self) -> None:
        torch.set_num_threads(self._config.threads)
        build, folder = self._config.build, self._config.folder
        self._tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        dtype = _DTYPES[build.engine.transformers.dtype]
        model: Any = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, local_files_only=True)
        model.eval()
        self._model = model
        self._prompts = PromptEncoder(self._tokenizer, build, folder)
        eos = model.generation_config.eos_token_id
        ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        if self._tokenizer.eos_token_id is not None:
            ids.add(self._tokenizer.eos_token_id)
        self._eos = frozenset(ids)

    async def shutdown(self) -> None:
        self._healthy = False
        if self._pool is not None:
            # Running workers see the engine is unhealthy and stop at their next token.
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def stats(self) -> EngineStats:
        with self._lock:
            return EngineStats(self._running, self._waiting, self._healthy, max_num_queued_reqs=self._bound)

    async def encode_chat(self, turns: Sequence[ChatTurn]) -> list[int]:
        if self._prompts is None:
            raise EngineUnavailable("The engine is not running; retry on another replica.")
        return await self._prompts.encode_chat(turns)

    async def encode_text(self, text: str) -> list[int]:
        if self._prompts is None:
            raise EngineUnavailable("The engine is not running; retry on another replica.")
        return await self._prompts.encode_text(text)

    async def generate(self, request: GenerationRequest) -> AsyncGenerator[GenerationDelta, None]:
        pool = self._pool
        if pool is None or not self._healthy:
            raise EngineUnavailable("The engine is not running; retry on another replica.")
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[GenerationDelta | BaseException] = asyncio.Queue()
        cancelled = threading.Event()

        def emit(item: GenerationDelta | BaseException) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:
                cancelled.set()  # the event loop is gone: nobody is listening any more

        with self._lock:
            self._waiting += 1
        try:
            future = pool.submit(self._run, request, emit, cancelled, time.perf_counter())
        except RuntimeError:
            with self._lock:
                self._waiting -= 1
            raise EngineUnavailable("The engine is shutting down; retry on another replica.") from None
        try:
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise EngineFailure(f"The engine failed while generating (request {request.request_id}).")
                yield item
                if item.finish_reason is not None:
                    return
        finally:
            cancelled.set()
            # Still queued: dropped from the queue, so that nobody's abandoned request takes a worker.
            if future.cancel():
                with self._lock:
                    self._waiting -= 1

    def _run(
        self, request: GenerationRequest, emit: Emit, cancelled: threading.Event, submitted: float
    ) -> None:
        queued = time.perf_counter() - submitted
        with self._lock:
            self._waiting -= 1
            self._running += 1
        try:
            if not cancelled.is_set():
                with torch.inference_mode():
                    self._decode(request, emit, cancelled, queued)
        except Exception as exc:
            # The message of a library exception may quote its input; log only its type and place.
            log.error("generation failed for request %s: %s", request.request_id, exception_summary(exc))
            emit(exc)
        finally:
            with self._lock:
                self._running -= 1

    def _decode(
        self, request: GenerationRequest, emit: Emit, cancelled: threading.Event, queued: float
    ) -> None:
        params = request.sampling
        model = self._model
        generator = new_generator(params.seed)
        detokenizer = IncrementalDetokenizer(self._tokenizer)
        stops = StopMatcher(params.stop)
        counts: dict[int, int] = {}
        cache = DynamicCache(config=model.config)
        inputs = torch.tensor([request.prompt_token_ids], dtype=torch.long)
        # Only the last position's logits are needed: a long prompt's full logits would take gigabytes.
        output = model(input_ids=inputs, past_key_values=cache, use_cache=True, logits_to_keep=1)
        for produced in range(1, params.max_tokens + 1):
            token = pick_token(output.logits[0, -1], params, counts, generator)
            counts[token] = counts.get(token, 0) + 1
            finish: FinishReason | None = None
            if token in self._eos:
                text, finish = detokenizer.flush(), "stop"
            else:
                text = detokenizer.push(token)
                if produced == params.max_tokens:
                    text, finish = text + detokenizer.flush(), "length"
            text = stops.feed(text)
            if stops.stopped:
                finish = "stop"
            elif finish is not None:
                text += stops.flush()
            emit(GenerationDelta(text, 1, finish, queued if produced == 1 else None))
            if finish is not None:
                return
            if cancelled.is_set() or not self._healthy:
                return
            step = torch.tensor([[token]], dtype=torch.long)
            output = model(
                input_ids=step, past_key_values=output.past_key_values, use_cache=True, logits_to_keep=1
            )
