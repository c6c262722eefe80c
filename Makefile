# Quick start: `make run` (REPL over seeds/) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench clean pg

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

run: setup
	@$(BIN)/newsqa hint-bot
	$(BIN)/newsqa repl

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy retrieval bot

# A local PostgreSQL (pgvector) on 127.0.0.1 for NEWSQA_STORE=postgres; prints NEWSQA_PG_URL.
pg: setup
	$(BIN)/newsqa pg start

clean:
	rm -rf $(VENV) .index
