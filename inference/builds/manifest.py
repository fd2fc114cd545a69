"""Model build manifests (`models/<jurisdiction>/<name>.yaml`).

A build is one set of weight, tokenizer and template files made for one jurisdiction, pinned by the
SHA-256 of every file. An adapter build (`kind: lora-adapter`) is a LoRA adapter made for one
jurisdiction on top of a base build of the same jurisdiction, pinned the same way. The server verifies
every digest before loading.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from inference.builds.digest import build_digest
from inference.policy.region import BuildId, Code

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="Lower-case hex SHA-256.")]


def relative_path(value: str) -> str:
    """Accept only a normalized relative POSIX path that stays inside the build folder."""
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or str(path) != value or value in ("", "."):
        raise ValueError(
            f"must be a relative path inside the build folder, like 'model.safetensors', not {value!r}"
        )
    return value


RelativePath = Annotated[str, AfterValidator(relative_path)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileDigest(_Strict):
    """One file of a build and its SHA-256."""

    path: RelativePath
    sha256: Sha256


class FolderSource(_Strict):
    """Files in a folder; a relative path is resolved against the manifest's own folder."""

    kind: Literal["folder"]
    path: str = Field(min_length=1)


class GgufPackageSource(_Strict):
    """A GGUF file shipped inside an installed Python package, converted once to a cached folder."""

    kind: Literal["gguf-package"]
    package: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Import name of the package.")
    file: str = Field(min_length=1)
    sha256: Sha256


Source = Annotated[FolderSource | GgufPackageSource, Field(discriminator="kind")]


class TransformersOptions(_Strict):
    """Options for the transformers engine."""

    dtype: Literal["float32", "bfloat16", "float16"] = "bfloat16"


class VllmOptions(_Strict):
    """Options for the vLLM engine, passed to its engine arguments."""

    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    gpu_memory_utilization: float = Field(
        default=0.9,
        gt=0,
        le=1,
        description="Share of each GPU's memory vLLM may take (weights and KV cache).",
    )
    tensor_parallel_size: int = Field(default=1, ge=1, le=64, description="GPUs one replica spans.")
    quantization: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9_]{1,32}$",
        description="vLLM quantization method of the weights (awq, gptq, fp8, ...); none if unset.",
    )
    max_loras: int = Field(default=4, ge=1, le=64, description="Adapters held on the GPU at once.")
    max_lora_rank: Literal[1, 8, 16, 32, 64, 128, 256, 320, 512] = Field(
        default=16, description="Largest adapter rank served (one of vLLM's sizes)."
    )
    enforce_eager: bool = Field(default=False, description="Skip CUDA graph capture (slower, starts faster).")
    load_format: Literal["auto", "dummy"] = Field(
        default="auto",
        description="`dummy` gives random weights of the configured shape: for benchmarks only.",
    )
    kv_cache_memory_bytes: int | None = Field(
        default=None, ge=1, description="KV cache size; vLLM sizes it from gpu_memory_utilization if unset."
    )


class EngineOptions(_Strict):
    """Per-engine options; an engine reads only its own section."""

    transformers: TransformersOptions = TransformersOptions()
    vllm: VllmOptions = VllmOptions()


class _Pinned(_Strict):
    """What every build manifest has: an id and aliases within a jurisdiction, and pinned files."""

    id: BuildId = Field(description="Build id; clients pass it as `model`.")
    jurisdiction: Code = Field(description="The jurisdiction this build was made for; must match its folder.")
    description: str = ""
    aliases: tuple[BuildId, ...] = Field(
        default=(), description="Other names clients may pass as `model`, e.g. a region-neutral 'assistant'."
    )
    files: tuple[FileDigest, ...] = Field(
        min_length=1, description="Every file of the folder the engine loads, with its SHA-256."
    )

    # Cross-field checks run as field validators (on fields declared after those they read), so that
    # an error names the offending field and value.
    @field_validator("aliases")
    @classmethod
    def _aliases_differ_from_id(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if info.data.get("id") in value:
            raise ValueError("aliases must not repeat the build id")
        return value

    @field_validator("files")
    @classmethod
    def _paths_unique(cls, value: tuple[FileDigest, ...]) -> tuple[FileDigest, ...]:
        paths = [f.path for f in value]
        duplicates = sorted({p for p in paths if paths.count(p) > 1})
        if duplicates:
            raise ValueError(f"{duplicates[0]!r} is listed more than once")
        return value

    @property
    def digest(self) -> str:
        """The build digest: SHA-256 of the `sha256sum`-style listing of its files, sorted by path."""
        return build_digest((f.path, f.sha256) for f in self.files)

    @property
    def reference(self) -> str:
        """`<id>@sha256:<digest>`, as sent in the X-Model-Build header."""
        return f"{self.id}@sha256:{self.digest}"

    def answers_to(self, name: str) -> bool:
        """Whether a request's `model` names this build."""
        return name == self.id or name in self.aliases


class AdapterBuild(_Pinned):
    """A LoRA adapter build manifest (PEFT format: `adapter_config.json` and the adapter weights)."""

    kind: Literal["lora-adapter"]
    base: BuildId = Field(description="The model build this adapter was trained on (same jurisdiction).")
    source: FolderSource


class ModelBuild(_Pinned):
    """A model build manifest."""

    kind: Literal["model"] = "model"
    source: Source
    chat_template: RelativePath = Field(description="Jinja chat template file; must be one of `files`.")
    context_length: int = Field(ge=16, description="Prompt plus completion tokens, at most.")
    default_max_tokens: int = Field(
        default=512, ge=1, description="Completion length of a chat request that sets no max_tokens."
    )
    engine: EngineOptions = EngineOptions()

    @field_validator("chat_template")
    @classmethod
    def _template_is_pinned(cls, value: str, info: ValidationInfo) -> str:
        files = info.data.get("files")
        if files is not None and value not in {f.path for f in files}:
            raise ValueError("must be one of the digest-pinned files")
        return value

    @field_validator("default_max_tokens")
    @classmethod
    def _fits_context(cls, value: int, info: ValidationInfo) -> int:
        context_length = info.data.get("context_length")
        if context_length is not None and value >= context_length:
            raise ValueError(f"must be smaller than context_length ({context_length})")
        return value


AnyBuild = ModelBuild | AdapterBuild


BUILD_KINDS: dict[str, type[ModelBuild] | type[AdapterBuild]] = {
    "model": ModelBuild,
    "lora-adapter": AdapterBuild,
}


def build_class(data: object) -> type[ModelBuild] | type[AdapterBuild] | None:
    """Which manifest class a parsed file is, by its `kind` (`model` unless given); None if unknown."""
    kind = data.get("kind", "model") if isinstance(data, dict) else "model"
    return BUILD_KINDS.get(kind) if isinstance(kind, str) else None
