# The two commands of the README: `make run` and `make test`. Everything else is a step.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
RAW ?= raw
INDEX ?= index

.PHONY: setup index run test lint

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

setup: $(INSTALLED)

index: setup
	$(BIN)/csto-index build $(RAW) --index $(INDEX)

run: index

lint: setup
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest
