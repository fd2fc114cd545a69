"""regional-llm: region-bound LLM inference with an OpenAI-compatible API."""

__version__ = "0.1.0"
