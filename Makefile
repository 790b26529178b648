# The README's two commands: `make run` (first run, embedded defaults) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test check install install-dev worker

$(VENV)/.installe: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installe-dev: requirements-dev.txt $(VENV)/.installe
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installe
install-dev: $(VENV)/.installe-dev

# SQLite, tasks in-process, e-mail on the console, demo data; safe to run again.
run: export DEBUG ?= true
run: $(VENV)/.installe
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py charger_referentiel
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite on PostgreSQL and Redis, browsers included.
test: $(VENV)/.installe-dev
	bash scripts/paquets_systeme.sh
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
		$(BIN)/python -m pytest

# Fast checks, to run before every commit.
check: export DEBUG ?= true
check: $(VENV)/.installe-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

worker: $(VENV)/.installe
	$(BIN)/celery -A charte worker --loglevel=info
