# OCOP Portal. `make run` and `make test` do all set-up on a fresh machine and are
# fast when nothing changed (each step is skipped while its inputs are unchanged).
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
# The embedded default: DEBUG on for `make run` unless the environment says otherwise.
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-true}

VENDOR := static/vendor
VENDOR_STAMP := $(VENDOR)/.stamp
VENV_STAMP := $(VENV)/.stamp
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

.PHONY: help setup run test lint fmt migrate worker beat bench assets messages clean

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV_STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR_STAMP): node_modules/.package-lock.json
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons/fonts $(VENDOR)/htmx $(VENDOR)/chartjs
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* $(VENDOR)/bootstrap/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/bootstrap-icons/
	cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff* $(VENDOR)/bootstrap-icons/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js* $(VENDOR)/chartjs/
	touch $@

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV_STAMP)
	$(RUN_ENV) $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

assets: $(VENDOR_STAMP) ## Copy front-end libraries from npm into static/vendor

messages: $(VENV_STAMP) ## Update the Vietnamese catalogue from the source (then translate it)
	$(RUN_ENV) $(MANAGE) makemessages -l vi --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var --ignore=static/vendor
	$(RUN_ENV) $(MANAGE) makemessages -l vi -d djangojs --ignore=.venv --ignore=node_modules --ignore=var --ignore=static/vendor

setup: $(VENV_STAMP) $(VENDOR_STAMP) $(MO_FILES)
	@mkdir -p var/static

migrate: setup ## Apply database migrations
	$(RUN_ENV) $(MANAGE) migrate --no-input -v 0

run: migrate ## Start the portal with the Đồng Tháp demo on http://127.0.0.1:$(PORT)/
	$(RUN_ENV) $(MANAGE) seed_demo
	@echo ""
	@echo "  OCOP Portal: http://127.0.0.1:$(PORT)/accounts/login/"
	@echo ""
	@if [ -n "$$REDIS_URL" ]; then \
	  trap 'kill 0' EXIT; \
	  $(RUN_ENV) $(BIN)/celery -A ocop_portal worker --loglevel=INFO --concurrency=2 & \
	  $(RUN_ENV) $(BIN)/celery -A ocop_portal beat --loglevel=INFO --schedule var/celerybeat-schedule & \
	  $(RUN_ENV) $(MANAGE) runserver 0.0.0.0:$(PORT); \
	else \
	  $(RUN_ENV) $(MANAGE) run_daily_jobs; \
	  $(RUN_ENV) $(MANAGE) runserver 0.0.0.0:$(PORT); \
	fi

test: setup ## Run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup ## Ruff, and a check that every model change has its migration
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=true $(MANAGE) makemigrations --check --dry-run

fmt: setup ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: setup ## Run a Celery worker (needs REDIS_URL)
	$(BIN)/celery -A ocop_portal worker --loglevel=INFO

beat: setup ## Run Celery beat, the single scheduler (needs REDIS_URL)
	$(BIN)/celery -A ocop_portal beat --loglevel=INFO --schedule var/celerybeat-schedule

BENCH_DB ?= sqlite:///$(CURDIR)/var/bench.sqlite3
BENCH_PRODUCTS ?= 20000
# Production-like: DEBUG off (no query log, cached templates), in-process test client.
BENCH_ENV := DATABASE_URL=$(BENCH_DB) DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=testserver \
	DJANGO_SECRET_KEY=bench-only-secret-key-that-is-long-enough-0123456789abcdef \
	DJANGO_SECURE_SSL_REDIRECT=false \
	DJANGO_STATICFILES_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage
bench: setup ## Time the main pages with the demo plus BENCH_PRODUCTS generated products
	@mkdir -p var
	$(BENCH_ENV) $(MANAGE) migrate --no-input -v 0
	$(BENCH_ENV) $(MANAGE) seed_demo --force > /dev/null
	$(BENCH_ENV) $(MANAGE) generate_scale --force --products $(BENCH_PRODUCTS)
	$(BENCH_ENV) $(MANAGE) bench

clean: ## Remove the virtualenv, node_modules, copied assets and var/
	rm -rf $(VENV) node_modules $(VENDOR) var
