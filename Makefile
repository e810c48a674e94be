# Townhall: `make run` brings the embedded system up, `make test` runs every test.
# Needs only Python 3.11 and make: uv is installed on first use if it is missing.

PYTHON ?= python3.11
UV ?= $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
# File order by default: the suite passes shuffled in parts and was fixed for each order
# dependence a shuffled run found, but no whole shuffled run has passed yet (see the last
# closing note). PYTEST_ARGS= shuffles (pytest-randomly, seed printed last).
PYTEST_ARGS ?= -p no:randomly

.PHONY: help install run seed token test lint typecheck bench clean browser-deps bench-deps deploy-check

help:
	@echo "make run    set up, migrate, seed demo data and run the portal and the four services"
	@echo "make test   set up and run the whole test suite (SQLite, and PostgreSQL when it answers)"
	@echo "           in file order; make test PYTEST_ARGS= shuffles it (pytest-randomly, seed"
	@echo "           printed last), make test PYTEST_ARGS='-p randomly --randomly-seed=N' replays one"
	@echo "make lint   ruff and mypy"
	@echo "make bench  run the benchmarks under bench/"
	@echo "make deploy-check  security scan of deploy/kubernetes (checkov; findings kept are in deploy/checkov.yaml)"
	@echo "make browser-deps  install Chromium (Debian) and axe-core (npm) for the portal's tests"

.uv-ready:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==0.13.8"
	@command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
	@touch $@

install: .uv-ready
	$(UV) sync --all-packages --frozen

run: install
	$(UV) run --frozen townhall run

seed: install
	$(UV) run --frozen townhall seed

test: install browser-deps
	$(UV) run --frozen pytest $(PYTEST_ARGS)

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy

# The portal's browser tests: Debian's Chromium and axe-core from the npm registry.
browser-deps:
	@[ -x /usr/bin/chromium ] || (apt-get update -qq && apt-get install -y -qq chromium)
	@[ -f tests/portal/node_modules/axe-core/axe.min.js ] || npm ci --prefix tests/portal --no-audit --no-fund --silent

# The HTTP load generator of the policy benchmark: Debian's wrk.
bench-deps:
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk)

bench: install bench-deps
	$(UV) run --frozen python -m bench

# checkov runs in an environment of its own (uv tool): its pins would fight the workspace's.
CHECKOV_VERSION ?= 3.3.30
deploy-check: .uv-ready
	$(UV) tool run --from "checkov==$(CHECKOV_VERSION)" checkov --config-file deploy/checkov.yaml -d deploy/kubernetes

clean:
	rm -rf var .venv .uv-ready
