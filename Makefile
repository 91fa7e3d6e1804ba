# The front door. `make run` for a local service with demo data; `make test` for the suite.
SHELL := /bin/bash
PY := .venv/bin/python
PORT ?= 8000
# Two workers: the suite's browser and service tests wait on I/O, so both cores stay busy.
PYTEST_ARGS ?= -n 2 -p no:warnings

.PHONY: install run test test-fast bench lint migrations-check check-deploy clean

install:
	@scripts/bootstrap.sh

run: install
	@$(PY) scripts/run_embedded.py --port $(PORT)

test: install
	@scripts/system-packages.sh
	@$(PY) scripts/with_services.py -- $(PY) -m pytest $(PYTEST_ARGS)

bench: install
	@scripts/system-packages.sh
	@$(PY) scripts/with_services.py -- $(PY) -m bench.run $(BENCH_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy practitioner_health referrals clinicians triage selfhelp reporting api bench

migrations-check: install
	DJANGO_ENV=embedded VAR_DIR=$$(mktemp -d) $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf .venv node_modules staticfiles var/celery-queue
