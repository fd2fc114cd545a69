"""Engines by name, imported only when chosen, so that the API never imports torch or vllm."""

from __future__ import annotations

import importlib
from typing import cast

from inference.engines.base import Engine, EngineConfig

ENGINES: dict[str, str] = {
    "transformers": "inference.engines.transformers_engine:TransformersEngine",
    "vllm": "inference.engines.vllm_engine:VllmEngine",
}


class EngineNotInstalled(Exception):
    """The chosen engine's libraries are not installed. `str()` says which extra to install."""


def create_engine(name: str, config: EngineConfig) -> Engine:
    """Instantiate the engine registered as `name`."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; available: {', '.join(sorted(ENGINES))}")
    module_name, _, class_name = ENGINES[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise EngineNotInstalled(
            f"engine {name!r} needs {exc.name!r}, which is not installed: pip install 'regional-llm[{name}]'"
        ) from None
    engine_class = getattr(module, class_name)
    return cast(Engine, engine_class(config))
