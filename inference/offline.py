"""The service never downloads: every model file it reads is a verified local file."""

from __future__ import annotations

import os


def forbid_downloads() -> None:
    """Put Hugging Face libraries in offline mode. Call before importing transformers.

    Offline mode also changes what `save_pretrained` records (`local_files_only`), so the demo
    conversion must always run with it for its pinned digests to hold.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
