# One task runner for developers and CI. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup system-deps run build serve test lint typecheck unit bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

APT_PACKAGES := $(if $(shell command -v java),,default-jre-headless) $(if $(wildcard /usr/bin/chromium),,chromium) $(if $(shell command -v npm),,npm)

system-deps: ## Install what pip cannot: Java for HermiT, Chromium for the browser tests
	@if [ -n "$(strip $(APT_PACKAGES))" ]; then \
	  echo "installing Debian packages: $(APT_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); fi

$(STAMP): pyproject.toml
	$(MAKE) system-deps
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# The query page's browser assets (YASGUI, Vega-Lite, world-atlas) and the browser tests'
# axe-core, pinned by package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

setup: $(STAMP) node_modules/.package-lock.json ## Create .venv and install clusterkg with its dependencies

run: setup ## The main job: build the graph from the bundled sources and serve it on $(HOST):$(PORT)
	$(BIN)/clusterkg run --host $(HOST) --port $(PORT)

build: setup ## Build the graph into dist/ (N-Quads, TriG, JSON-LD, CSV tables, ontology page)
	$(BIN)/clusterkg build

serve: setup ## Serve the last build
	$(BIN)/clusterkg serve --host $(HOST) --port $(PORT)

lint: setup ## ruff
	$(BIN)/ruff check .

typecheck: setup ## mypy --strict over the whole project (files and settings in pyproject.toml)
	$(BIN)/mypy

unit: setup ## pytest only
	$(BIN)/pytest -q

test: setup lint typecheck unit ## All checks CI runs: lint, types, tests

bench: setup ## Benchmarks (bench/): query service vs rdflib-endpoint, validation; results in bench/results/
	$(BIN)/python -m bench.run
	$(BIN)/python bench/validation.py

clean: ## Remove build outputs
	rm -rf dist build *.egg-info
