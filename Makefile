# The front door. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test test-postgres migrate demo worker serve bench-load lint check messages clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## Browser tests drive Debian's Chromium (Playwright's own browser downloads do not
## work here); PDF tests read with poppler's pdfinfo and pdftotext. Installed when
## missing if we are root.
CHROMIUM := /usr/bin/chromium
chromium:
	@if [ ! -x $(CHROMIUM) ] || [ ! -x /usr/bin/pdftotext ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y chromium poppler-utils || (apt-get update && apt-get install -y chromium poppler-utils)); \
	  else \
	    echo "Tests need $(CHROMIUM) and poppler: run 'sudo apt-get install -y chromium poppler-utils'."; exit 1; \
	  fi; \
	fi

## Set everything up (virtualenv, packages, database, demo data) and run the portal.
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py runserver $(HOST)

## Set up what the tests need and run the whole suite (DATABASE_URL picks the database).
test: $(VENV)/.installed-dev chromium
	$(BIN)/python -m pytest

## The same suite on the local PostgreSQL server.
test-postgres: $(VENV)/.installed-dev chromium
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal} $(BIN)/python -m pytest

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo_data

## A background task worker (production uses the database task backend).
worker: $(VENV)/.installed
	$(BIN)/python manage.py db_worker

## Production settings on PostgreSQL, as deployed: gunicorn with WEB_CONCURRENCY app
## processes and TASK_WORKERS task workers (2 and 2), on http://127.0.0.1:$$PORT (8000).
## Migrates and collects static files first (docs/deployment.md).
serve: $(VENV)/.installed
	$(BIN)/python deploy/serve.py

## The load test (bench/load/run.py): the production set-up on PostgreSQL under 100
## Locust users for 5 minutes, then the same mix against a bare view. About 20 minutes.
bench-load: $(VENV)/.installed-dev
	$(BIN)/python bench/load/run.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: $(VENV)/.installed-dev
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

## Refresh the translation files after changing strings (then translate and compile).
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache artifacts
