# Brigade: `make run` starts the demo restaurant, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck test-sqlite test-postgresql test-e2e screenshots docs migration clean web web-deps web-api web-test

# The web app (web/: React + Vite). `npm ci` runs when package-lock.json is newer than
# what node_modules was installed from; the build when a source changed (stamp files).
WEB := web
WEB_DEPS_STAMP := $(WEB)/node_modules/.package-lock.json
WEB_BUILD_STAMP := $(WEB)/dist/.build-stamp
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(wildcard $(WEB)/index.html $(WEB)/package.json $(WEB)/vite.config.ts $(WEB)/tsconfig*.json)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV) || { apt-get update -q && apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the demo: migrate, load the pizza place with staff logins, serve on 127.0.0.1:8000.
run: install web
	$(VENV)/bin/brigade demo

## Everything CI runs: lint, types, the suite on SQLite and on PostgreSQL (docs build included).
## It leaves `git status` as it found it (screenshots go to a temporary folder: `make screenshots`).
test: install
	./scripts/ensure-services.sh
	./scripts/ensure-chromium.sh
	$(MAKE) lint typecheck
	$(MAKE) web-test
	$(MAKE) test-sqlite
	$(MAKE) test-postgresql

lint: install
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts

typecheck: install
	$(VENV)/bin/mypy

# Both suites include tests/e2e (a real server and Chromium): they need a fresh web/dist.
# Their screenshots go to a temporary folder unless BRIGADE_SCREENSHOTS_DIR names one.
test-sqlite: install web
	BRIGADE_TEST_DATABASE=sqlite $(VENV)/bin/pytest -q

test-postgresql: install web
	BRIGADE_TEST_DATABASE=postgresql $(VENV)/bin/pytest -q

## Only the browser tests (tests/e2e) on SQLite (screenshots to a temporary folder).
test-e2e: install web
	./scripts/ensure-chromium.sh
	BRIGADE_TEST_DATABASE=sqlite $(VENV)/bin/pytest -q tests/e2e

## Retake the screenshots docs/web.md shows: the browser tests on SQLite, writing docs/img/screens/.
screenshots: install web
	./scripts/ensure-chromium.sh
	BRIGADE_SCREENSHOTS_DIR=docs/img/screens BRIGADE_TEST_DATABASE=sqlite $(VENV)/bin/pytest -q tests/e2e

docs: install
	$(VENV)/bin/mkdocs build --strict --quiet --site-dir site

migration: install
	./scripts/regen-initial-migration.sh

$(WEB_DEPS_STAMP): $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

web-deps: $(WEB_DEPS_STAMP)

$(WEB_BUILD_STAMP): $(WEB_DEPS_STAMP) $(WEB_SOURCES)
	cd $(WEB) && npm run build
	touch $@

## Build the web app into web/dist (served at / by `brigade serve`).
web: $(WEB_BUILD_STAMP)

## Regenerate the API contract: web/openapi.json from the server, web/src/api/schema.d.ts from it.
web-api: install web-deps
	$(VENV)/bin/brigade openapi --output $(WEB)/openapi.json
	cd $(WEB) && npm run gen:api

## The web app's checks: generated API files current, types, ESLint, component tests, the build.
web-test: install web
	cd $(WEB) && npm run check:api
	cd $(WEB) && npm run typecheck
	cd $(WEB) && npm run lint
	cd $(WEB) && npm test

clean:
	rm -rf $(VENV) var site .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules $(WEB)/dist
