# Flaskbone: `make help` lists the commands.
.DEFAULT_GOAL := help
.PHONY: help install build dev test test-backend test-frontend lint format clean

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
PYTEST_ARGS ?=

help: ## List the commands
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: $(VENV)/.installed node_modules/.installed ## Install the locked Python and npm dependencies

$(VENV)/.installed: pyproject.toml uv.lock scripts/uv-requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r scripts/uv-requirements.txt
	$(BIN)/uv sync --frozen --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: install ## Build the front end into public/ (production: minified, no source maps)
	npm run build

dev: install ## Run the app with reload on http://127.0.0.1:8000 (Ctrl-C stops everything)
	$(BIN)/python scripts/dev.py

test: test-frontend test-backend ## Run every test: front-end units, backend, browser

test-frontend: install
	npm test

test-backend: build
	$(BIN)/pytest --cov --cov-report=term-missing:skip-covered --cov-fail-under=90 $(PYTEST_ARGS)

lint: install ## Check the code style (ruff)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Fix what the linters can fix
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove installed dependencies and build output (keeps var/, your data)
	rm -rf $(VENV) node_modules public .pytest_cache .ruff_cache .coverage
