# Trainlytics — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck fmt migrate bench install clean

# uv (the wheel from the package index, into the venv) installs in seconds what pip takes
# a minute and a half for. The venv is made without pip (ensurepip alone costs seconds):
# the interpreter's own pip puts uv into it, and uv adds pip for whoever wants it. When
# that fails, the venv gets pip and pip installs everything.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	if $(PYTHON) -m pip --python $(BIN)/python install --quiet --disable-pip-version-check uv \
	  && $(BIN)/uv pip install --python $(BIN)/python --quiet -e '.[dev]' pip; then \
	  :; \
	else \
	  $(BIN)/python -m ensurepip --upgrade \
	  && $(BIN)/python -m pip install --quiet -e '.[dev]'; \
	fi
	touch $(STAMP)

install: $(STAMP)

## Start Trainlytics on embedded defaults (SQLite, in-process jobs, console chat + demo data).
run: $(STAMP)
	$(BIN)/trainlytics migrate
	$(BIN)/trainlytics demo --if-empty
	$(BIN)/trainlytics run

## Run the whole test suite (SQLite; PostgreSQL/Redis too when TRAINLYTICS_TEST_* are set).
# CI's gate: ruff, the formatter, then the suite (tests/architecture runs the layer
# contracts). mypy and lint-imports are in `make lint` until they report zero (issue 14).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

## The checks (README, Checks): ruff, the formatter, mypy and the layer contracts.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## Type-check the project (pyproject.toml [tool.mypy]; core/ is strict).
typecheck: $(STAMP)
	$(BIN)/mypy

## Fix what ruff can fix and format the code.
fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Apply the database migrations (TRAINLYTICS_DATABASE_URL, or the embedded SQLite file).
migrate: $(STAMP)
	$(BIN)/trainlytics migrate

## Print the performance ratios of every bench/ script against its in-process baseline.
bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
