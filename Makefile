# OAS – two commands: `make up` (run everything locally) and `make test` (all checks).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: up test install lint typecheck migrations-check imports pytest down clean-var messages translations

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

## Start PostgreSQL + Redis (embedded unless DATABASE_URL/REDIS_URL are set), migrate, seed the demo
## municipality when the database is empty, then run web, worker, beat, identity provider and simulators.
up: install
	$(BIN)/python manage.py devstack

down: install
	$(BIN)/python manage.py stop_embedded

messages: install
	$(BIN)/python manage.py compile_translations >/dev/null

## Extract UI text into locale/{nn,en}/LC_MESSAGES/django.po; then translate the new entries in nn and en
## (tests/house/test_translations.py fails while any msgid is missing or untranslated). Bokmål is the source
## language: its msgids are the text, and locale/nb keeps only a few entries by hand (not extracted).
translations: install
	$(BIN)/python manage.py makemessages -l nn -l en --ignore=.venv --ignore=var --ignore=node_modules \
		--ignore=static --no-obsolete

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

imports: install
	$(BIN)/lint-imports

## pytest on PYTEST_WORKERS pytest-xdist workers (default 2, the cores of the CI machine; 0 runs it in one process).
## Each worker has its own test database (pytest-django: test_<name>_gw0, _gw1, ...) and its own Redis database
## (OAS_TEST_REDIS_WORKER_DB_BASE + worker number, default 10 and 11: devtools/xdist.py); tests sharing heavy state
## (the journeys' seeded demo) stay on one worker through xdist_group marks (--dist loadgroup).
## The 25 slowest steps are printed at the end (the 20-minute budget of `make test`).
PYTEST_WORKERS ?= 2
pytest: install messages
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=25 $(PYTEST_ARGS)

test: lint typecheck migrations-check imports pytest
