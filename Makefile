# Urban Agenda for the EU knowledge graph. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Two stamps: the runtime (`make setup`, `make run`, `make build`) and the test tools on top of it
# (`make test`, `make lint`, `make bench`: pytest, ruff, mypy, Playwright, the Oxigraph server).
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: setup test-setup assets run build validate test lint format clean bench bench-quick bench-fairness bench-build bench-network bench-archive

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required (found: $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment: on Debian/Ubuntu run 'apt-get install python3-venv'"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(TEST_STAMP)

# Front-end libraries come from npm at set-up (never from a CDN) and are served from our own static
# folder; node_modules/ and webapp/static/vendor/ are not committed.
VENDOR := webapp/static/vendor
# One stamp for every vendored file, newer than package.json once they are all copied.
ASSETS := $(VENDOR)/.installed

$(ASSETS): package.json $(wildcard package-lock.json)
	@command -v npm >/dev/null || { echo "npm is required for the front-end assets (query editor, network view, map): on Debian/Ubuntu run 'apt-get install npm'"; exit 1; }
	if [ -f package-lock.json ]; then npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; else npm install --ignore-scripts --no-audit --no-fund --loglevel=error; fi
	mkdir -p $(VENDOR)/yasgui
	cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css $(VENDOR)/yasgui/
	mkdir -p $(VENDOR)/cytoscape
	cp node_modules/cytoscape/dist/cytoscape.min.js node_modules/cytoscape/LICENSE $(VENDOR)/cytoscape/
	# The map: Natural Earth country shapes (1:50m TopoJSON, public domain) drawn with d3-geo; no tile server.
	mkdir -p $(VENDOR)/map
	cp node_modules/d3-array/dist/d3-array.min.js node_modules/d3-geo/dist/d3-geo.min.js node_modules/topojson-client/dist/topojson-client.min.js $(VENDOR)/map/
	cp node_modules/world-atlas/countries-50m.json $(VENDOR)/map/
	for p in d3-array d3-geo topojson-client world-atlas; do cp node_modules/$$p/LICENSE $(VENDOR)/map/LICENSE.$$p; done
	@touch $(ASSETS)

assets: $(ASSETS)

setup: $(STAMP) assets

test-setup: $(TEST_STAMP) assets

build: setup
	$(BIN)/uaeu build

validate: setup
	$(BIN)/uaeu validate

# Set up, build the graph, and serve the web app and SPARQL endpoint on the embedded store.
HOST ?= 127.0.0.1
PORT ?= 5000
run: build
	$(BIN)/uaeu serve --host $(HOST) --port $(PORT)

# Lint: ruff (style, bugs, security) and mypy (types, strict, over graph/ and webapp/).
lint: test-setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(TEST_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/pytest

# Benchmarks (never part of `make test`): synthetic builds at 10k/100k/1M triples (1M: build, dump, load and
# network timings only), peers load-tested side by side on 127.0.0.1; results in bench/results/.
# Sizes: synthetic 10k/100k/1M and `release` (the curated data); repeated windows, drained between;
# also the in-process breakdown and the fairness run on the real release. Writes bench/results/bench.md.
BENCH_SIZES ?= 10k,100k,release,1M
BENCH_HTTP_SIZES ?= 10k,100k,release
BENCH_REPEAT ?= 3
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(TEST_STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	@touch $(BENCH_STAMP)

# The build and network benches run first: bench.md's targets table reads their results.
bench: test-setup $(BENCH_STAMP) bench-build bench-network
	BENCH_SIZES=$(BENCH_SIZES) BENCH_HTTP_SIZES=$(BENCH_HTTP_SIZES) BENCH_REPEAT=$(BENCH_REPEAT) $(BIN)/python -m bench.run --name bench

# A smoke run of the same harness (a few minutes): six queries on the real release, two windows each,
# the in-process breakdown and a short fairness run; writes bench/results/quick.md.
bench-quick: test-setup $(BENCH_STAMP)
	$(BIN)/python -m bench.run --name quick --sizes release --http-sizes release --repeat 2 --quick --fairness 5

# Latency of light queries and pages while 4 runaway queries are in flight (about 1 minute).
bench-fairness: build
	$(BIN)/python -m bench.fairness --seconds 20

# Answering from an archived release, cold (not loaded) against warm (about two minutes).
bench-archive: test-setup
	$(BIN)/python -m bench.archive --rounds 7

# Releases under build/releases/ are read-only: make them writable to remove them.
clean:
	if [ -d build ]; then chmod -R u+w build; fi
	rm -rf build .pytest_cache .ruff_cache .mypy_cache

# The build's bulk phases at 100k and 1M (with SHACL; the old dump writer on the same quads for the
# byte comparison) and the partner network's first answers and server start: bench/results/{build,network}.md.
BENCH_BUILD_SIZES ?= 100k,1M
bench-build: test-setup
	BENCH_BUILD_SIZES=$(BENCH_BUILD_SIZES) $(BIN)/python -m bench.build --shacl --old

# BENCH_NETWORK_BEFORE=/path/to/another/checkout adds its code as a "before" column.
bench-network: test-setup
	$(BIN)/python -m bench.network $(if $(BENCH_NETWORK_BEFORE),--code before=$(BENCH_NETWORK_BEFORE))
