# The two commands of the README: `make run` and `make test`. Everything else is a step.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
RAW ?= raw
INDEX ?= index

HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup index run test lint browser

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

setup: $(INSTALLED)

index: setup
	$(BIN)/csto-index build $(RAW) --index $(INDEX)

run: index
	$(BIN)/csto-search serve --index $(INDEX) --host $(HOST) --port $(PORT)

# The browser test drives Debian's Chromium; install it where it is missing (as root).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	    >/dev/null 2>&1 || echo "Could not install chromium: the browser test will be skipped."; }

lint: setup
	$(BIN)/ruff check .

test: lint browser
	$(BIN)/python -m pytest
