# Two commands: `make run` (set up and start the dashboard) and `make test` (set up and run every test).
# Everything they need is installed here: a virtualenv from requirements files, Debian's chromium
# for the browser tests and the reports' charts, and pango for the reports' PDF.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8501
BIN := $(VENV)/bin
STAMPS := .make-stamps
# Two workers: CI machines have two cores; each worker gets its own databases. Work stealing: a
# worker that runs out of tests takes the other's instead of idling behind its slowest browser tests.
PYTEST_ARGS ?= -n 2 --dist worksteal --durations=15

.PHONY: run test test-browser lint setup setup-dev chromium pdf-libs clean-venv benchmark bench lighthouse

# prepare-views judges the city for the public ahead of the first visitor (docs/operations.md); it
# refuses when EQUITY_SNAPSHOT_DIR is set empty, which must not stop the dashboard from starting.
run: setup chromium pdf-libs
	$(BIN)/python -m equity_tracking init-db
	-$(BIN)/python -m equity_tracking prepare-views
	$(BIN)/streamlit run serve.py --server.port $(PORT)

test: lint chromium pdf-libs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Only the browser tests (slow); `make test` runs them too.
test-browser: setup-dev chromium
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

# bandit: no finding of high severity is allowed (-lll); docs/security.md.
lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -q -r equity_tracking app.py serve.py pages -lll

setup: $(STAMPS)/runtime
setup-dev: $(STAMPS)/dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMPS)/runtime: requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@mkdir -p $(STAMPS) && touch $@ $(STAMPS)/runtime

# Debian's chromium: Playwright's own browser download cannot work offline.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { echo "chromium is still missing; install Debian's chromium package" >&2; exit 1; }

# Speed targets (see docs/benchmarks.md); add ARGS=--record to rewrite the figures there. `make bench`
# records every figure (about an hour on 2 cores: it builds the scale-10 city once, in
# /tmp/equity-benchmark). BENCH_DATABASE_URL (default: that scale-10 SQLite file) points the page
# benchmark at another database, e.g. a PostgreSQL one loaded with `load-demo --scale 10`.
SCALE10 := /tmp/equity-benchmark/demo-scale10-seed2016.db
BENCH_DATABASE_URL ?= sqlite:///$(SCALE10)
# The same city on PostgreSQL (made and loaded on the first run, then reused).
BENCH_POSTGRESQL_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/equity_bench_scale10
benchmark: setup-dev chromium pdf-libs
	$(BIN)/python -m benchmarks.analytics $(ARGS)
	$(BIN)/python -m benchmarks.pages $(ARGS)
	$(BIN)/python -m benchmarks.reports $(ARGS)
	$(BIN)/python -m benchmarks.load $(ARGS)
	$(BIN)/python -m benchmarks.browser_weight $(ARGS)

bench: setup-dev chromium pdf-libs lighthouse $(SCALE10)
	$(BIN)/python -m benchmarks.analytics --record
	$(BIN)/python -m benchmarks.pages --database-url $(BENCH_DATABASE_URL) --record
	$(BIN)/python -m benchmarks.pages --database-url $(BENCH_POSTGRESQL_URL) --load-scale 10 --section pages-postgresql --record
	$(BIN)/python -m benchmarks.pages --section pages-demo --record
	$(BIN)/python -m benchmarks.api --record
	$(BIN)/python -m benchmarks.reports --record
	$(BIN)/python -m benchmarks.load --record
	$(BIN)/python -m benchmarks.browser_weight --record

$(SCALE10):
	mkdir -p $(dir $(SCALE10))
	$(BIN)/python -m equity_tracking --database-url sqlite:///$(SCALE10) init-db --no-load-demo-if-empty
	$(BIN)/python -m equity_tracking --database-url sqlite:///$(SCALE10) load-demo --scale 10

# Lighthouse (npm) for the browser-weight benchmark, into .tools/ (git-ignored); it drives Debian's
# chromium (CHROME_PATH).
lighthouse: chromium
	@test -x .tools/lighthouse/node_modules/.bin/lighthouse || { \
	  command -v npm >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq npm >/dev/null; }; \
	  mkdir -p .tools/lighthouse && npm install --silent --prefix .tools/lighthouse lighthouse@12; }

# What WeasyPrint needs to lay out the annual reports' PDF (docs/reports.md): pango and HarfBuzz's
# subsetter, and fonts (Liberation has Arial's metrics, DejaVu the state icons ✓ ◷ ★).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fonts-dejavu-core
pdf-libs:
	@dpkg -s $(PDF_PACKAGES) >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; }

clean-venv:
	rm -rf $(VENV) $(STAMPS)
