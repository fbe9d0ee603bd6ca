# Two commands do everything on a fresh machine with Python 3.11+:
#   make run    virtualenv, pinned requirements, database, plan, demo accounts and demo data,
#               site at :8000
#   make test   lint, migrations check, the tests on SQLite, then again on PostgreSQL
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST   ?= 127.0.0.1:8000

.PHONY: run test venv setup lint migrations-check test-sqlite test-postgres clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: venv
	DJANGO_DEBUG=1 $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=1 $(PY) manage.py load_plan
	DJANGO_DEBUG=1 $(PY) manage.py create_demo_accounts
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo

run: setup
	@echo "Open http://$(HOST)/ — demo accounts are listed in README.md"
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

migrations-check: venv
	SECRET_KEY=check $(PY) manage.py makemigrations --check --dry-run

test-sqlite: venv
	$(PY) -m pytest -m "not postgres"

# The same suite again on the PostgreSQL server. Without one it is skipped with the reason;
# with CI=true a missing server fails the run.
test-postgres: venv
	@if $(PY) -m tests.services postgres "$(PG_TEST_URL)"; then \
		DATABASE_URL="$(PG_TEST_URL)" $(PY) -m pytest; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI=true and PostgreSQL is not reachable at $(PG_TEST_URL)"; exit 1; \
	else \
		echo "SKIPPED the PostgreSQL pass: no server at $(PG_TEST_URL) (set PG_TEST_URL)"; \
	fi

test: lint migrations-check test-sqlite test-postgres

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
