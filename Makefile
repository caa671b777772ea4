# Masthead: two commands do everything on a fresh machine.
#   make run   - create .venv, install, migrate, load the demo site, serve it
#   make test  - the whole suite on SQLite, then again on PostgreSQL
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# PostgreSQL test database (pytest-django prefixes "test_"); one per checkout folder so
# several checkouts on one machine do not collide.
PG_NAME := masthead_$(shell basename "$(CURDIR)" | tr -c 'a-zA-Z0-9\n' '_' | tr 'A-Z' 'a-z')_$(shell printf '%s' "$(CURDIR)" | cksum | cut -c1-6)
PG_URL  ?= postgres://postgres@127.0.0.1:5432/$(PG_NAME)
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres install lint format bench eval worker clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml package.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@# axe-core for the browser accessibility checks (masthead/journey); without npm they skip
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent; \
	else echo "npm not found: the axe-core accessibility checks will be skipped (fail under CI=true)"; fi
	@touch $@

run: install
	@# refuse a port in use before touching the database of a site that may be running on it
	@$(BIN)/python manage.py serve --check-port --host $(HOST) --port $(PORT)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_demo --password-in-banner
	$(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

worker: install
	$(BIN)/python manage.py db_worker


test: install
	@bash scripts/run-tests.sh $(PYTEST_ARGS)

test-sqlite: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check masthead benchmarks scripts
	$(BIN)/ruff format --check masthead benchmarks scripts

format: install
	$(BIN)/ruff format masthead benchmarks scripts
	$(BIN)/ruff check --fix masthead benchmarks scripts

# Benchmarks (`make bench` runs them all). BENCH_POSTS=100000 for a quicker import run.
BENCH_POSTS ?= 1000000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/$(PG_NAME)_bench
bench-migration: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python benchmarks/migration/import_bench.py --posts $(BENCH_POSTS) --reimport

clean:
	rm -rf $(VENV) var .pytest_cache

bench: install
	$(BIN)/python -m benchmarks.run_all $(BENCH_ARGS)

eval: install
	$(BIN)/python manage.py eval_guidelines
