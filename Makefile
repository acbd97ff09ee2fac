# Quartiersstimme — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
export FLASK_APP := app

.PHONY: run test install install-test translations db demo test-system-packages clean check-translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed setup.cfg
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

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

## Debian packages the tests need: Chromium for the browser tests, zbar to decode QR codes.
test-system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "please install:$$missing (apt-get install$$missing)"; exit 1; fi; \
	fi

## make test: everything the tests need, then the whole suite
test: $(VENV)/.installed-test translations test-system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance/*.sqlite* .pytest_cache
