# Townhall: `make run` brings the embedded system up, `make test` runs every test.
# Needs only Python 3.11 and make: uv is installed on first use if it is missing.

PYTHON ?= python3.11
UV ?= $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
PYTEST_ARGS ?=

.PHONY: help install run seed token test lint typecheck bench clean

help:
	@echo "make run    set up, migrate, seed demo data and run the three services"
	@echo "make test   set up and run the whole test suite (SQLite, and PostgreSQL when it answers)"
	@echo "make lint   ruff and mypy"
	@echo "make bench  run the benchmarks under bench/"

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

test: install
	$(UV) run --frozen pytest $(PYTEST_ARGS)

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy

bench: install
	$(UV) run --frozen python -m bench

clean:
	rm -rf var .venv .uv-ready
