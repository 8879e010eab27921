# Two commands: `make run` (set up and start the dashboard) and `make test` (set up and run every test).
# Everything they need is installed here: a virtualenv from requirements files, Debian's chromium
# for the browser tests and the reports' charts, and pango for the reports' PDF.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8501
BIN := $(VENV)/bin
STAMPS := .make-stamps
# Two workers: CI machines have two cores; each worker gets its own databases.
PYTEST_ARGS ?= -n 2

.PHONY: run test test-browser lint setup setup-dev chromium pdf-libs clean-venv benchmark

run: setup chromium pdf-libs
	$(BIN)/python -m equity_tracking init-db
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

# Speed targets (see docs/benchmarks.md); add ARGS=--record to rewrite the figures there.
benchmark: setup-dev chromium pdf-libs
	$(BIN)/python -m benchmarks.analytics $(ARGS)
	$(BIN)/python -m benchmarks.pages $(ARGS)
	$(BIN)/python -m benchmarks.reports $(ARGS)

# What WeasyPrint needs to lay out the annual reports' PDF (docs/reports.md): pango and HarfBuzz's
# subsetter, and fonts (Liberation has Arial's metrics, DejaVu the state icons ✓ ◷ ★).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fonts-dejavu-core
pdf-libs:
	@dpkg -s $(PDF_PACKAGES) >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; }

clean-venv:
	rm -rf $(VENV) $(STAMPS)
