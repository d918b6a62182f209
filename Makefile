# Two commands matter: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8050
# WORKERS and THREADS default to gunicorn.conf.py's: one worker per core, 8 threads each.
WORKERS ?=
THREADS ?=

.PHONY: run test lint unit browser bench js install install-dev browser-deps clean

# Test-only JavaScript (axe-core for the accessibility checks), pinned in package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Serve http://$(HOST):$(PORT) with gunicorn sized by gunicorn.conf.py (threaded
# workers, jobs started through a forkserver); environment variables override it.
run: install
	HOST=$(HOST) PORT=$(PORT) $(if $(WORKERS),WEB_CONCURRENCY=$(WORKERS)) $(if $(THREADS),GUNICORN_THREADS=$(THREADS)) \
		$(BIN)/gunicorn -c gunicorn.conf.py app:server

# Debian's chromium and chromium-driver drive the browser tests; redis-server
# backs the hosted-mode test (Celery jobs through Redis).
browser-deps:
	@if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver redis-server; \
		else \
			echo "chromium, chromium-driver or redis-server is missing; install them (as root: apt-get install chromium chromium-driver redis-server)"; exit 1; \
		fi; \
	fi

unit: install-dev
	$(BIN)/python -m pytest tests/unit -q

browser: install-dev browser-deps node_modules/.package-lock.json
	$(BIN)/python -m pytest tests/browser -q --headless

# The browser's cut arithmetic (assets/cut_core.js) under Node, against fixtures
# that the Python side writes (tests/js/fixtures, gitignored).
js: install-dev node_modules/.package-lock.json
	$(BIN)/python tests/js/make_fixtures.py
	node --test tests/js/

# ruff (ruff.toml): lint rules and the formatter's check, before any test runs.
lint: install-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# Two test processes, each given whole files (their module-scoped servers and browsers stay
# with them): browser tests spend most of their time waiting on the page. TEST_PROCESSES=0
# runs everything in this one process. Files go out in the order tests/conftest.py
# sorts them (the slowest first), not xdist's (the most tests first).
TEST_PROCESSES ?= 2

test: lint install-dev browser-deps js
	$(BIN)/python -m pytest tests -q --headless $(if $(filter-out 0,$(TEST_PROCESSES)),-n $(TEST_PROCESSES) --dist loadfile --no-loadscope-reorder)

bench: install-dev browser-deps
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache node_modules
