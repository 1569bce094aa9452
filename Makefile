# Trainlytics — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start Trainlytics on embedded defaults (SQLite, in-process jobs, console chat + demo data).
run: $(STAMP)
	$(BIN)/trainlytics migrate
	$(BIN)/trainlytics demo --if-empty
	$(BIN)/trainlytics run

## Run the whole test suite (SQLite; PostgreSQL/Redis too when TRAINLYTICS_TEST_* are set).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Print the performance ratios of every bench/ script against its in-process baseline.
bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
