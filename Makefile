# Confetti — the two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

# Django 6 needs Python >= 3.12: use PYTHON if given, else the first suitable one found.
PYTHON ?= $(shell for c in python3.13 python3.12 python3 /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9]; do \
	p=$$(command -v $$c 2>/dev/null) || continue; \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: run test install install-dev demo lint clean messages

# The guest site's translations: .po files are committed, .mo files are built here (GNU gettext's msgfmt).
messages: install
	@if command -v msgfmt >/dev/null 2>&1; then $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0; \
	else echo "note: msgfmt (Debian package gettext) not found; pages stay in English (apt-get install gettext)"; fi

$(VENV)/.installed: pyproject.toml package-lock.json
	@if [ -z "$(PYTHON)" ]; then echo "Confetti needs Python >= 3.12 (Django 6). None found: install one (pyenv install 3.13) or set PYTHON=/path/to/python3.12" >&2; exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@# Browser libraries (SortableJS for the seating chart) from the npm registry; the chart
	@# falls back to native drag and drop when npm is missing.
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "note: npm not found; the seating chart uses native drag and drop"; fi
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	@# The task worker (invitations and reminders by email, photos' images) runs beside the server and stops with it.
	$(PY) manage.py messaging_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver 127.0.0.1:8000

# Every test runs once, and the database tests whose subject can differ between the two databases
# run on both. First, on SQLite (the embedded default, `make run`'s database): the tests that reach
# no database, and the database tests marked `sqlite` (database rules and locking, search and the
# guest-list reads, imports' transactions, the task queue, the demo, reports, every guest and admin
# page rendering; pyproject.toml). Then, on PostgreSQL (with Redis and the browser: always under
# CI=true, locally when PostgreSQL answers on 127.0.0.1:5432), the full suite of database tests, as
# production runs it, with the PostgreSQL-only, browser and multi-process ones. Running every
# database test on both took the suite past six minutes on two cores (issue 12).
# Without PostgreSQL the whole suite runs on SQLite instead. Under CI=true, PostgreSQL, Redis
# and browser tests are mandatory: they fail instead of skipping.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# Four xdist workers on two cores: the suite spends much of its time waiting (sockets, daphne
# and browser subprocesses, debounce windows), so two workers kept the cores about 60 % busy
# (CPU 180 s in 148 s of wall time for the SQLite pass); four keep them busy. TEST_WORKERS=N to change.
TEST_WORKERS ?= 4
# Every test process (xdist workers, the daphne and worker processes the tests start) reuses the
# compiled modules and pytest's rewritten test modules in __pycache__: with PYTHONDONTWRITEBYTECODE
# set (some shells and CI images set it), each of them compiled the project again (5 s of the
# 10 s a worker spent collecting; 17 s of the SQLite pass's wall time).
unexport PYTHONDONTWRITEBYTECODE
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS)
test: install-dev messages
	@{ command -v chromium && command -v chromium-headless-shell; } >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-headless-shell >/dev/null) || \
		echo "note: chromium not installed; browser tests will be skipped (apt-get install chromium chromium-headless-shell)"; }
	@if [ "$$CI" = "true" ] || pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then \
		echo "--- SQLite: the tests that reach no database, and the database tests marked sqlite ---"; \
		$(PYTEST) --sqlite-pass && \
		echo "--- PostgreSQL: every test that reaches the database, and the PostgreSQL-only, browser and multi-process ones ---" && \
		DATABASE_URL=$(TEST_DATABASE_URL) CONFETTI_EXPECT_POSTGRES=1 $(PYTEST) --database-tests-only; \
	else \
		echo "--- SQLite: the whole suite (PostgreSQL is not running: its own tests skip) ---"; \
		$(PYTEST); \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 media private_media staticfiles
