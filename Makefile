# Quartiersstimme — the two commands: `make run` and `make test` (`make test-all` adds the full matrices).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
export FLASK_APP := app

.PHONY: run serve test test-all test-matrices bench install install-test translations db demo system-packages test-system-packages clean

# Debian packages: the PDF renderer's libraries and fonts (all scripts, Arabic included) for
# `make run`; Chromium, zbar (QR decoding) and poppler (PDF to text and images) for the tests.
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-hosny-amiri
TEST_DEBS := chromium zbar-tools poppler-utils
# The benchmarks also measure on a throw-away PostgreSQL server.
BENCH_DEBS := postgresql

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed setup.cfg
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations system-packages

translations: $(VENV)/.installed
	$(BIN)/flask translate compile

db: install
	mkdir -p instance
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo load

## make run: install, migrate, load the demo once and serve on http://$(HOST):$(PORT)
run: demo
	@echo ""
	@echo "Quartiersstimme runs on http://$(HOST):$(PORT)/"
	@echo "Staff log-in: http://$(HOST):$(PORT)/login"
	@$(BIN)/flask demo load | sed 's#Demo survey: /#Demo survey: http://$(HOST):$(PORT)/#'
	@echo ""
	$(BIN)/flask run --host $(HOST) --port $(PORT)

## make serve: production server (gunicorn, gunicorn.conf.py) on DATABASE_URL; migrates first
serve: db
	$(BIN)/gunicorn -c gunicorn.conf.py "app:create_app()"

define apt_missing
	@missing=""; for pkg in $(1); do \
	  dpkg -s "$$pkg" >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "please install:$$missing (apt-get install$$missing)"; exit 1; fi; \
	fi
endef

system-packages:
	$(call apt_missing,$(RUN_DEBS))

test-system-packages: system-packages
	$(call apt_missing,$(TEST_DEBS))

# The suite runs in parallel, one worker per core (pytest-xdist; each worker has its own app,
# database and browser; a module that shares data built once keeps its tests on one worker with
# an xdist_group mark); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

## make test: everything the tests need, then every test that guards behaviour (within 10 minutes)
test: $(VENV)/.installed-test translations test-system-packages
	$(PYTEST) $(PYTEST_ARGS)

## make test-all: make test plus the full matrices (staff pages in every language, fuzzing at full count)
test-all: $(VENV)/.installed-test translations test-system-packages
	$(PYTEST) --tier=all $(PYTEST_ARGS)

## make test-matrices: only what make test-all adds to make test (CI runs the two one after the other)
test-matrices: $(VENV)/.installed-test translations test-system-packages
	$(PYTEST) --tier=matrices $(PYTEST_ARGS)

## make bench: the benchmarks (bench/), on demand; rewrites bench/RESULTS.md (BENCH_ARGS="scale --quick")
bench: $(VENV)/.installed-test translations test-system-packages
	$(call apt_missing,$(BENCH_DEBS))
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/*.sqlite* .pytest_cache
