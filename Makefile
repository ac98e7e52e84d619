# Flaskbone: `make help` lists the commands.
.DEFAULT_GOAL := help
.PHONY: help install build dev test test-backend test-frontend lint format clean

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
PYTEST_ARGS ?=
# The backend tests run in parallel (pytest-xdist), a worker per CPU; each test
# file stays on one worker, so a module's fixture (a built image, a fork) is
# made once. `make test TEST_WORKERS=0` runs them in this process, one by one.
TEST_WORKERS ?= auto

help: ## List the commands
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

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
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --cov --cov-report=term-missing:skip-covered --cov-fail-under=90 $(PYTEST_ARGS)

# The JavaScript that ESLint and Prettier check (Prettier also the JSON we write).
JS_FILES := frontend scripts/actionlint.mjs brunch-config.js eslint.config.js

lint: install ## Run the checks of .pre-commit-config.yaml, then bandit, hadolint and pip-audit
	$(BIN)/python scripts/check_files.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	npx --no-install eslint $(JS_FILES)
	npx --no-install prettier --check $(JS_FILES) package.json .prettierrc.json
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	node scripts/actionlint.mjs .github/workflows/*.yml
	$(BIN)/bandit -q -c pyproject.toml -r backend devtools loadtest scripts
	@$(MAKE) --no-print-directory lint-docker
	@$(MAKE) --no-print-directory audit

.PHONY: audit loadtest
audit: install ## Check the locked dependencies for known vulnerabilities (skipped when offline)
	@report=$$(mktemp); requirements=$$(mktemp); \
	$(BIN)/uv export --quiet --frozen --all-groups --no-hashes --no-emit-project --format requirements-txt -o $$requirements; \
	$(BIN)/pip-audit --strict --disable-pip --no-deps --progress-spinner off -r $$requirements >$$report 2>&1; status=$$?; \
	if grep -q "known vulnerabilit" $$report; then cat $$report; status=1; \
	elif [ $$status -ne 0 ] && grep -q "could not be audited" $$report; then \
	  echo "pip-audit skipped: its vulnerability data cannot be reached from here (offline?)."; status=0; \
	else cat $$report; fi; \
	rm -f $$report $$requirements; exit $$status

loadtest: install ## Drive gunicorn with many logged-in users for LOADTEST_SECONDS (30); report req/s, p50/p99, errors
	PYTHONPATH=. $(BIN)/python loadtest/run.py

format: install ## Fix what the linters can fix
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	npx --no-install eslint --fix $(JS_FILES)
	npx --no-install prettier --write $(JS_FILES) package.json .prettierrc.json

.PHONY: rename
# It needs uv, which exports requirements.txt again from the renamed uv.lock.
rename: $(VENV)/.installed ## Rename the app where users see it: make rename NAME=my-app (safe to run twice)
	@$(BIN)/python scripts/rename.py "$(NAME)"

.PHONY: measure-resource
measure-resource: install ## Files and lines a new resource takes, lines saved since 8d2966b, duplicates
	$(BIN)/python scripts/measure_resource.py

.PHONY: bench
bench: install ## Measure the API (req/s, CPU/req) against a bare Flask floor and Eve, live streams, front end (docs/benchmarks.md)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Compose v2 (`docker compose`) when the Docker CLI has it, else v1 (`docker-compose`).
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)

.PHONY: up down logs lint-docker
up: ## Build the image and start the app with MongoDB in Docker (needs SECRET_KEY in .env)
	$(COMPOSE) up --build --detach
	@echo "Flaskbone is starting on http://localhost:8000 (make logs to follow, make down to stop)"

down: ## Stop the Docker containers (the MongoDB volume, your data, is kept)
	$(COMPOSE) down

logs: ## Follow the Docker containers' logs
	$(COMPOSE) logs --follow --tail=100

lint-docker: install ## Check the Dockerfile (hadolint) and docker-compose.yml (compose schema)
	$(BIN)/hadolint Dockerfile
	SECRET_KEY=lint-only docker-compose -f docker-compose.yml config -q
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

clean: ## Remove installed dependencies and build output (keeps var/, your data)
	rm -rf $(VENV) node_modules public .pytest_cache .ruff_cache .coverage
