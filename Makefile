# One task runner for developers and CI. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup setup-run system-deps run build serve test lint typecheck unit bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  HOST=$(HOST) PORT=$(PORT) (override: make run PORT=8080)"

# Running needs Java (HermiT), libseccomp (the query workers' sandbox) and npm (the query page's
# assets); the browser tests also need Chromium, the w3id rules' test Apache httpd (apache2).
RUN_APT := $(if $(shell command -v java),,default-jre-headless) $(if $(wildcard /usr/lib/*/libseccomp.so.2),,libseccomp2) $(if $(shell command -v npm),,npm)
DEV_APT := $(RUN_APT) $(if $(wildcard /usr/bin/chromium),,chromium) $(if $(wildcard /usr/sbin/apache2),,apache2) $(if $(shell command -v serdi),,serdi)
# The store conformance suite (tests/stores/) and bench/stores.py start their own Virtuoso.
VIRTUOSO_APT := $(if $(shell command -v virtuoso-t),,virtuoso-opensource-7)

apt_install_cmd = apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(1)

define apt_install
	@if [ -n "$(strip $(1))" ]; then \
	  echo "installing Debian packages: $(1)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $(1); fi
endef

# Virtuoso's package asks for the dba password (debconf), preseeded blank: the packaged daemon would
# run with the default dba password on all interfaces, so it is stopped and disabled after install
# (no systemd needed; Docker's policy-rc.d keeps postinst from starting it at all). The tests and
# benchmarks never use it: they run `virtuoso-t -f` on their own virtuoso.ini, database and ports.
VIRTUOSO_DEBCONF := 'virtuoso-opensource-7 virtuoso-opensource-7/dba-password password' \
  'virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password' \
  'virtuoso-opensource-7 virtuoso-opensource-7/register-odbc-dsn boolean false' \
  'libvirtodbc0 libvirtodbc0/register-odbc-driver boolean false'

system-deps: ## Install what pip cannot: Java for HermiT, Chromium for the browser tests, Virtuoso for the store suite, Apache for the w3id rules' test
	$(call apt_install,$(DEV_APT))
	@if [ -n "$(strip $(VIRTUOSO_APT))" ]; then \
	  echo "installing Debian packages: $(VIRTUOSO_APT)"; \
	  printf '%s\n' $(VIRTUOSO_DEBCONF) | debconf-set-selections && \
	  $(call apt_install_cmd,$(VIRTUOSO_APT)) && \
	  (invoke-rc.d virtuoso-opensource-7 stop >/dev/null 2>&1 || true) && \
	  update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1; fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# What running needs: the runtime dependencies only.
$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(call apt_install,$(RUN_APT))
	$(BIN)/pip install -q -e .
	touch $(RUN_STAMP)

# What developing needs: the runtime ones plus the `dev` extra (tests, linters, stubs, browser).
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(MAKE) system-deps
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP) $(RUN_STAMP)

# The query page's browser assets (YASGUI, Vega-Lite, world-atlas) and the browser tests'
# axe-core, pinned by package-lock.json
node_modules/.package-lock.json: package.json package-lock.json | $(RUN_STAMP)
	npm ci --ignore-scripts --no-audit --no-fund

setup: $(STAMP) node_modules/.package-lock.json ## Create .venv and install clusterkg with its development dependencies

setup-run: $(RUN_STAMP) node_modules/.package-lock.json ## Create .venv and install clusterkg with what running needs only

run: setup-run ## Build the graph from the bundled sources and serve it on $(HOST):$(PORT) (make run PORT=8080)
	$(BIN)/clusterkg run --host $(HOST) --port $(PORT)

build: setup-run ## Build the graph into dist/ (N-Quads, TriG, JSON-LD, CSV tables, ontology page)
	$(BIN)/clusterkg build

serve: setup-run ## Serve the last build on $(HOST):$(PORT) (make serve PORT=8080)
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
	$(BIN)/python -m bench.validation

clean: ## Remove build outputs
	rm -rf dist build *.egg-info
