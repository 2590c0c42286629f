# The interface to the project: run, test, fuzz, lint, fmt, bench.
# Each target installs what it needs first and is safe to run again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP_PY := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
CSS := build/css/site.css
JS := build/js/checkin-scanner.js
# The browser tests drive Debian's Chromium (Playwright's own download does not work here).
CHROMIUM := /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000
# Exported so that settings.SITE_URL (links in emails) follows it.
export PORT

.PHONY: install run test fuzz lint fmt bench assets static clean

install: $(STAMP_PY) $(STAMP_NPM) $(CSS) $(JS)

$(STAMP_PY): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(STAMP_NPM): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS): $(STAMP_NPM) $(wildcard static/scss/*.scss)
	mkdir -p $(dir $(CSS))
	npm run --silent build:css

$(JS): $(STAMP_NPM) $(wildcard static/staff/scanner*.mjs)
	mkdir -p $(dir $(JS))
	npm run --silent build:js

assets: $(CSS) $(JS)

run: install
	mkdir -p var/mail
	DEBUG=true $(PY) manage.py migrate --no-input
	DEBUG=true $(PY) manage.py seed_demo
	@echo "Serving http://$(HOST):$(PORT)/ (emails go to the console and var/mail/)"
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else \
		echo "The browser tests need Chromium at $(CHROMIUM): apt-get install chromium chromium-driver" >&2; exit 1; \
	fi

# In random order (pytest-randomly prints the seed: replay a run with
# PYTEST_ARGS="-p randomly --randomly-seed=N"), with Hypothesis's "ci"
# profile: the same examples on every run. In TEST_PROCESSES processes
# (pytest-xdist; 0 runs everything in this one), each with a test database
# and a Redis database of its own (tests/settings.py); the tests that start
# workers and servers all run in one of them (`--dist loadgroup`).
TEST_PROCESSES ?= 2
test: install $(CHROMIUM)
	$(BIN)/pytest --hypothesis-profile=ci -n $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

# The property and fuzz tests with new random examples on every run, five
# times as many as `make test` tries (Hypothesis's "fuzz" profile, see
# tests/conftest.py). A failure prints how to replay it.
FUZZ_TESTS := tests/fuzz tests/equality/test_suppression.py
fuzz: install
	$(BIN)/pytest --hypothesis-profile=fuzz --hypothesis-show-statistics $(FUZZ_TESTS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	git ls-files -z '*.py' | xargs -0 $(BIN)/django-upgrade --target-version 5.2 --check
	$(BIN)/djlint --check templates

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	git ls-files -z '*.py' | xargs -0 $(BIN)/django-upgrade --target-version 5.2
	$(BIN)/djlint --reformat templates

static: install
	$(PY) manage.py collectstatic --no-input

bench: install
	$(PY) -m bench $(ONLY)

clean:
	rm -rf $(VENV) node_modules build staticfiles
