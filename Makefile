# Urban Agenda for the EU knowledge graph. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup assets run build validate test lint format clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required (found: $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment: on Debian/Ubuntu run 'apt-get install python3-venv'"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Front-end libraries come from npm at set-up (never from a CDN) and are served from our own static
# folder; node_modules/ and webapp/static/vendor/ are not committed.
VENDOR := webapp/static/vendor
ASSETS := $(VENDOR)/yasgui/yasgui.min.js

$(ASSETS): package.json $(wildcard package-lock.json)
	@command -v npm >/dev/null || { echo "npm is required for the query editor's assets: on Debian/Ubuntu run 'apt-get install npm'"; exit 1; }
	if [ -f package-lock.json ]; then npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; else npm install --ignore-scripts --no-audit --no-fund --loglevel=error; fi
	mkdir -p $(VENDOR)/yasgui
	cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css $(VENDOR)/yasgui/
	@touch $(ASSETS)

assets: $(ASSETS)

setup: $(STAMP) assets

build: setup
	$(BIN)/uaeu build

validate: setup
	$(BIN)/uaeu validate

# Set up, build the graph, and serve the web app and SPARQL endpoint on the embedded store.
HOST ?= 127.0.0.1
PORT ?= 5000
run: build
	$(BIN)/uaeu serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

clean:
	rm -rf build .pytest_cache .ruff_cache
