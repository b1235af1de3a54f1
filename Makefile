# Brigade: `make run` starts the demo restaurant, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck test-sqlite test-postgresql docs migration clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV) || { apt-get update -q && apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the demo: migrate, load the pizza place with staff logins, serve on 127.0.0.1:8000.
run: install
	$(VENV)/bin/brigade demo

## Everything CI runs: lint, types, the suite on SQLite and on PostgreSQL (docs build included).
test: install
	./scripts/ensure-services.sh
	$(MAKE) lint typecheck
	$(MAKE) test-sqlite
	$(MAKE) test-postgresql

lint: install
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts

typecheck: install
	$(VENV)/bin/mypy

test-sqlite: install
	BRIGADE_TEST_DATABASE=sqlite $(VENV)/bin/pytest -q

test-postgresql: install
	BRIGADE_TEST_DATABASE=postgresql $(VENV)/bin/pytest -q

docs: install
	$(VENV)/bin/mkdocs build --strict --quiet --site-dir site

migration: install
	./scripts/regen-initial-migration.sh

clean:
	rm -rf $(VENV) var site .pytest_cache .mypy_cache .ruff_cache
