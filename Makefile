# The two commands a newcomer runs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PORT ?= 5000
NPM ?= npm
APP := staff_app
# Rebuild the staff app only when its sources, its lock file or the contract changed.
APP_SOURCES := $(shell find $(APP)/src $(APP)/public $(APP)/scripts -type f 2>/dev/null) \
	$(wildcard $(APP)/index.html $(APP)/vite.config.ts $(APP)/tsconfig*.json $(APP)/package.json) \
	mobile_contract/openapi.json
HAVE_NPM := $(shell command -v $(NPM) >/dev/null 2>&1 && echo yes)

.PHONY: run test install dev contract bench loadtest faults lint audit clean fuzz app app-test app-if-npm

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

## The staff app (staff_app/, TypeScript + Vite): npm ci when the lock file changed, build when sources did.
$(APP)/node_modules/.package-lock.json: $(APP)/package-lock.json
	cd $(APP) && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

$(APP)/dist/index.html: $(APP)/node_modules/.package-lock.json $(APP_SOURCES)
	cd $(APP) && $(NPM) run build --silent
	touch $@

app: $(APP)/dist/index.html

app-test: $(APP)/node_modules/.package-lock.json
	cd $(APP) && $(NPM) test --silent

# make run serves the API without Node.js; /app/ then explains how to build the app.
app-if-npm:
ifeq ($(HAVE_NPM),yes)
	@$(MAKE) --no-print-directory app
else
	@echo "Node.js/npm not found: serving the API and console; /app/ explains how to build the staff app."
endif

## make run: install, build the staff app, migrate the embedded database, seed the demo organisation, serve
run: $(STAMP) app-if-npm
	$(BIN)/stafet db upgrade
	$(BIN)/stafet seed-demo
	$(BIN)/stafet serve --port $(PORT)

## make test: install dev extras, build the staff app, run its unit tests and the whole suite (browser tests included)
test: $(DEV_STAMP) app app-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make contract: regenerate mobile_contract/ from the app
contract: $(STAMP)
	$(BIN)/stafet contract write

bench: $(DEV_STAMP) app-if-npm
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

audit: $(DEV_STAMP) $(APP)/node_modules/.package-lock.json
	$(BIN)/python .ci/audit.py
	$(BIN)/python .ci/npm_audit.py

clean:
	rm -rf $(VENV) instance .pytest_cache

## make fuzz: the contract fuzzer with a longer budget (FUZZ_EXAMPLES, default 50 here; CI runs 5)
fuzz: $(DEV_STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-50} $(BIN)/python -m pytest tests/contract/test_fuzz.py -p no:cacheprovider -q $(PYTEST_ARGS)
