# The two commands a newcomer runs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PORT ?= 5000

.PHONY: run test install dev contract bench loadtest faults lint audit clean fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

install: $(STAMP)
dev: $(DEV_STAMP)

## make run: install, migrate the embedded database, seed the demo organisation, serve with gunicorn
run: $(STAMP)
	$(BIN)/stafet db upgrade
	$(BIN)/stafet seed-demo
	$(BIN)/stafet serve --port $(PORT)

## make test: install dev extras and run the whole suite
test: $(DEV_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make contract: regenerate mobile_contract/ from the app
contract: $(STAMP)
	$(BIN)/stafet contract write

bench: $(DEV_STAMP)
	$(BIN)/python -m tests.perf.bench

loadtest: $(DEV_STAMP)
	$(BIN)/python -m tests.perf.loadtest

faults: $(DEV_STAMP)
	$(BIN)/python -m tests.perf.loadtest --faults

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

audit: $(DEV_STAMP)
	$(BIN)/python .ci/audit.py

clean:
	rm -rf $(VENV) instance .pytest_cache

## make fuzz: the contract fuzzer with a longer budget (FUZZ_EXAMPLES, default 50 here; CI runs 5)
fuzz: $(DEV_STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-50} $(BIN)/python -m pytest tests/contract/test_fuzz.py -p no:cacheprovider -q $(PYTEST_ARGS)
