# Two commands: `make run` (set up and serve the site with demo content) and `make test`
# (set up and run every check and test). Both work on a fresh machine with only Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The official open data; a checkout beside ../shared finds it without being told.
SN_DATA_DIR ?= $(firstword $(wildcard $(CURDIR)/../shared/data/london-geography))
SN_CRIME_DATA ?= $(firstword $(wildcard $(CURDIR)/../shared/data/mps-ward-crime))
SN_CONFIDENCE_DATA ?= $(firstword $(wildcard $(CURDIR)/../shared/data/pas-confidence))
export SN_DATA_DIR SN_CRIME_DATA SN_CONFIDENCE_DATA
export WAGTAILADMIN_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test lint pytest bench install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## Set up (virtualenv, database, London geography, crime and confidence figures, page tree, demo
## content, admin) and serve on 127.0.0.1:$(PORT), quietly: a progress bar for each long step, then
## how to sign in and what to try.
## With CELERY_BROKER_URL set, a Celery worker and Celery beat (scheduled publishing, survey
## reminders) run beside the web server, and stop with it.
run: install
	@echo "Safer Neighbourhoods: setting up (about two minutes the first time, less after that)."
	@$(BIN)/python manage.py migrate --no-input -v 0 && echo "Database ready."
	@$(BIN)/python manage.py import_geography --if-empty
	@if [ -n "$$SN_CRIME_DATA" ]; then $(BIN)/python manage.py import_crime --if-empty; fi
	@if [ -n "$$SN_CONFIDENCE_DATA" ]; then $(BIN)/python manage.py import_confidence --if-empty; fi
	@$(BIN)/python manage.py build_page_tree
	@$(BIN)/python manage.py load_demo_content
	@$(BIN)/python manage.py load_demo_surveys
	@$(BIN)/python manage.py ensure_admin
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
		export DJANGO_SETTINGS_MODULE=sn_site.settings.dev; mkdir -p var; \
		$(BIN)/celery -A sn_site --quiet worker --loglevel INFO & worker=$$!; \
		$(BIN)/celery -A sn_site --quiet beat --loglevel WARNING --schedule var/celerybeat-schedule & beat=$$!; \
		trap 'kill $$worker $$beat 2>/dev/null; wait' EXIT INT TERM; \
		$(BIN)/python manage.py runserver 127.0.0.1:$(PORT); \
	else \
		exec $(BIN)/python manage.py runserver 127.0.0.1:$(PORT); \
	fi

## Formatting, lint, the layers' one-way imports, Django's checks, migrations in step with models,
## a valid OpenAPI schema.
lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=sn_site.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=sn_site.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=sn_site.settings.test $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

## The test suite: PostgreSQL when DATABASE_URL is set, else SQLite; one process per core (each with
## its own test database), a test module at a time to each; TEST_PROCESSES=1 for a single process.
TEST_PROCESSES ?= auto
pytest: install-dev
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile --no-loadscope-reorder

## Everything: lint, checks and the whole test suite.
test: lint pytest

## The site as deployed (production settings, Redis) against a bare Django project, served the same
## way and loaded by wrk in turns, in one run: one table of ratios, latencies and CPU (bench/README.md).
## Needs PostgreSQL, Redis and wrk (Debian's wrk package); DATABASE_URL may name a database to use.
bench: install-dev
	@command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/floor.py

clean:
	rm -rf $(VENV) var static_collected .pytest_cache .ruff_cache
