"""`python -m inference.cli`: the `regional-llm` command."""

from __future__ import annotations

import sys

from inference.cli import main

sys.exit(main())
