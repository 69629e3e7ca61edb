# Two commands on a fresh machine: `make demo` and `make test`. Everything installs from here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DB := out/demo.db

.PHONY: demo test lint typecheck unit bench clean

PACKAGES := -e '.[dev]' -e examples/plugin -e 'adapters/discord[test]' -e 'adapters/slack[test]'
PYPROJECTS := pyproject.toml examples/plugin/pyproject.toml $(wildcard adapters/*/pyproject.toml)

$(STAMP): $(PYPROJECTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PACKAGES)
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p out && rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/qa-bot --database sqlite:///$(DEMO_DB) replay examples/ama.jsonl

lint: $(STAMP)
	$(BIN)/ruff check src tests examples bench adapters

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --config-file adapters/discord/pyproject.toml adapters/discord/src
	$(BIN)/mypy --config-file adapters/slack/pyproject.toml adapters/slack/src

# One pytest run per distribution: each has its own configuration and test helpers.
unit: $(STAMP)
	$(BIN)/python -m pytest tests examples/plugin/tests
	$(BIN)/python -m pytest adapters/discord/tests
	$(BIN)/python -m pytest adapters/slack/tests

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python bench/bench_store.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis
