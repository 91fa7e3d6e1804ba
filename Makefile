# The front door. `make run` for a local service with demo data; `make test-fast` while
# working, `make lint` and `make test` (what CI runs) before pushing.
SHELL := /bin/bash
PY := .venv/bin/python
PORT ?= 8000
# Two workers: the suite's browser and service tests wait on I/O, so both cores stay busy.
# The 25 slowest tests are listed at the end, so a test that has grown slow is seen.
PYTEST_ARGS ?= -n 2 -p no:warnings --durations=25
# Every test not marked slow (tests/conftest.py marks browser and services tests slow).
FAST_MARKERS := not slow
# mypy's Django plugin loads the settings: the embedded defaults, with keys in a throwaway folder.
LINT_ENV = DJANGO_ENV=embedded VAR_DIR=$$(mktemp -d)

.PHONY: install run test test-fast bench lint migrations-check check-deploy clean

install:
	@scripts/bootstrap.sh

run: install
	@$(PY) scripts/run_embedded.py --port $(PORT)

test: install
	@scripts/system-packages.sh
	@$(PY) scripts/with_services.py -- $(PY) -m pytest $(PYTEST_ARGS)

# Unit and view tests on PostgreSQL and Redis: no browser, Celery worker, gunicorn, fault or
# benchmark tests.
test-fast: install
	@scripts/system-packages.sh
	@$(PY) scripts/with_services.py -- $(PY) -m pytest -m "$(FAST_MARKERS)" $(PYTEST_ARGS)

bench: install
	@scripts/system-packages.sh
	@$(PY) scripts/with_services.py -- $(PY) -m bench.run $(BENCH_ARGS)

# Lint, format, types and migrations: quick, so they run before the suite rather than in it.
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(LINT_ENV) $(PY) -m mypy practitioner_health referrals clinicians triage selfhelp reporting api bench
	@$(MAKE) --no-print-directory migrations-check

migrations-check: install
	$(LINT_ENV) $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf .venv node_modules staticfiles var/celery-queue
