# Driver Home portal. `make run` serves it on SQLite with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=

.PHONY: install run serve test lint check messages compile-messages clean bench bench-staff lock audit

$(STAMP): requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) compile-messages .env

# A development checkout: manage.py runs with DEBUG on. Production sets its own environment
# (see .env.example); the environment always wins over this file.
.env:
	printf '# Written by make for development; see .env.example for every variable.\nDEBUG=1\n' > .env

compile-messages: $(STAMP)
	$(BIN)/python -m portal.i18n_compile

# Development server with demo data and a local administrator.
run: install
	DEBUG=1 $(MANAGE) migrate --noinput
	DEBUG=1 $(MANAGE) seed_demo
	DEBUG=1 $(MANAGE) ensure_admin
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

# Production-like: gunicorn, hashed static files, DEBUG off (set SECRET_KEY in the environment).
serve: install
	DEBUG=0 $(MANAGE) migrate --noinput
	DEBUG=0 $(MANAGE) collectstatic --noinput
	DEBUG=0 $(BIN)/gunicorn portal.wsgi:application --bind 127.0.0.1:8000 --workers 3 --access-logfile - \
		--access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/lint-imports
	DEBUG=1 $(BIN)/mypy

# Extract strings into the catalogues (needs GNU gettext: apt-get install gettext).
messages: $(STAMP)
	DEBUG=1 $(MANAGE) makemessages --no-obsolete --no-location -l zh_Hans -l en -l vi --ignore=.venv --ignore=var --ignore=bench --ignore=tests
	$(BIN)/python -m portal.i18n_compile

# What CI runs: lint, migrations check, SQLite and PostgreSQL suites, browser tests.
check:
	bash .ci/run

bench: install
	$(BIN)/python bench/run.py

# Staff pages at the city's scale (issue 18), SQLite and PostgreSQL (BENCH_POSTGRES_URL).
bench-staff: install
	$(BIN)/python bench/staff_scale.py

# Lighthouse (mobile) and a slow-link measurement of the public pages (by hand, not in CI;
# installs Lighthouse and Node 22 into var/audit on the first run). See docs/front-end.md.
audit: install
	$(BIN)/python bench/audit.py $(AUDIT_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Re-lock requirements*.txt after changing the ranges in pyproject.toml (keeps existing pins).
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --no-header --quiet -o requirements.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --no-header --quiet -o requirements-dev.txt
