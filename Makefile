# DWS upgrade-records contract: spec, generated client, reference mock, contract suite.
# `make help` lists every target. Everything installs itself on first use (python3, node and npm only).

SHELL := /bin/bash
PY_BOOT ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
NODE_BIN := node_modules/.bin
PY_STAMP := $(VENV)/.stamp-installed
NODE_STAMP := node_modules/.stamp-installed

# Contract-suite target: empty BASE_URL means "start the embedded mock".
BASE_URL ?=
TOKEN ?=
PROJECT_ID ?=
CLUSTER_ID ?=
CONTRACT_ARGS ?=
BASE ?= origin/main
MOCK_HOST ?= 127.0.0.1
MOCK_PORT ?= 8787
MOCK_ARGS ?=
UPSTREAM ?=
PROXY_LISTEN ?= 127.0.0.1:8790
PROXY_ARGS ?=
COMPAT_ARGS ?=
# pytest-xdist workers for test-unit and test-fast (`-n`): the tests wait on child processes and sockets
# much of the time, so 4 workers keep 2 cores busy. PYTEST_ARGS is passed on, e.g. -k or -x.
TEST_WORKERS ?= 4
PYTEST_ARGS ?=
# The tests start some hundred fresh interpreters: with bytecode caches of the project's own modules (in
# the ignored __pycache__/), each spends about a third of a CPU-second less compiling them, even where
# the environment says not to write any (PYTHONDONTWRITEBYTECODE, set on some CI images).
test-unit test-fast: export PYTHONDONTWRITEBYTECODE :=

# System packages come from Debian's apt-get, run only as root; the variables let tests fake a machine
# without Chromium, a non-root user or the installer itself.
CHROMIUM ?= chromium
USER_ID ?= $(shell id -u)
APT_GET ?= apt-get
# tests/docs finds Chromium through $CHROMIUM too, so the check and the test look at the same binary.
export CHROMIUM

# $(call debian_package,PACKAGE,WHAT,FOUND): a recipe line that does nothing when FOUND is non-empty,
# installs PACKAGE when we are root, and otherwise stops make with the one command to run.
debian_package = $(if $(3),@true,$(if $(filter 0,$(USER_ID)),$(APT_INSTALL) $(1),$(error $(2) is missing and \
  installing it needs root: run `apt-get update && apt-get install -y $(1)` as root and then run make again)))
APT_INSTALL = DEBIAN_FRONTEND=noninteractive $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq

# Redocly CLI phones home for telemetry and update notices; CI has no internet.
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true

.DEFAULT_GOAL := help
.PHONY: help install chromium lint lint-spec lint-code generate check-generated test test-unit test-docs \
        test-fast contract mock mutation proxy diff compat docs bench-mock bench-contract bench-client bench-proxy bench clean

help: ## List every target with one line
	@if [ -t 1 ]; then on=$$'\033[36m'; off=$$'\033[0m'; fi; \
	awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %s%-16s%s %s\n", on, $$1, off, $$2}' $(MAKEFILE_LIST)

$(PY_STAMP): requirements.lock pyproject.toml
	$(if $(wildcard $(PY)),@true,$(call debian_package,python3-venv,Python's venv module (ensurepip),$(shell $(PY_BOOT) -c 'import ensurepip' 2>/dev/null && echo found)))
	@test -x $(PY) || $(PY_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(PY_STAMP) $(NODE_STAMP) ## Create .venv and node_modules with every pinned dependency

chromium: ## Install Debian's Chromium for the reference-page test when it is missing (as root; else say what to run)
	$(call debian_package,chromium,Chromium ($(CHROMIUM)) for the reference-page test,$(shell command -v $(CHROMIUM) 2>/dev/null))
	@command -v $(CHROMIUM) >/dev/null || { echo "apt-get installed chromium but $(CHROMIUM) is still not found" >&2; exit 2; }

lint-spec: install ## Validate openapi.yaml (openapi-spec-validator, Redocly lint recommended-strict)
	$(BIN)/openapi-spec-validator openapi.yaml
	$(NODE_BIN)/redocly lint openapi.yaml --format=stylish

lint-code: $(PY_STAMP) ## ruff check, ruff format --check, mypy --strict (hand-written and generated/), the suite's import layers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	cd generated && ../$(BIN)/mypy --strict dws_upgrade_records_client

lint: lint-spec lint-code ## All linters: spec and code

generate: $(PY_STAMP) ## Regenerate generated/ from openapi.yaml (leaves it untouched if the spec is invalid)
	$(PY) scripts/generate.py

check-generated: $(PY_STAMP) ## Fail, naming files, if generated/ differs from a fresh generation
	$(PY) scripts/generate.py --check

test-unit: install chromium ## Run the whole pytest suite, slow tests included, on TEST_WORKERS processes
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

test-fast: $(PY_STAMP) ## The edit loop: pytest without slow tests, Chromium, node tools or packaging; one fault per check family
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup -m "not slow and not chromium and not node and not packaging" $(PYTEST_ARGS)

test: chromium lint check-generated test-unit contract ## Everything CI runs: lint, drift check, all tests, the contract job

contract: install ## Run the contract suite (embedded mock unless BASE_URL=... TOKEN=... PROJECT_ID=... CLUSTER_ID=...)
	DWS_TOKEN="$${TOKEN:-$${DWS_TOKEN:-}}" $(BIN)/dws-contract $(if $(BASE_URL),--base-url "$(BASE_URL)") $(if $(PROJECT_ID),--project-id "$(PROJECT_ID)") \
	  $(if $(CLUSTER_ID),--cluster-id "$(CLUSTER_ID)") $(CONTRACT_ARGS)

mutation: install ## Mutation-test the mock's request path with the contract suite as the tests (cosmic-ray; docs/mutation.md)
	$(PY) scripts/mutation.py

proxy: install ## Validating proxy in front of UPSTREAM=URL (PROXY_LISTEN=HOST:PORT); reports on Ctrl-C in reports/proxy
	@test -n "$(UPSTREAM)" || { echo "make proxy: set UPSTREAM=URL, e.g. make proxy UPSTREAM=http://127.0.0.1:8787"; exit 2; }
	$(BIN)/dws-contract proxy --upstream "$(UPSTREAM)" --listen "$(PROXY_LISTEN)" $(PROXY_ARGS)

mock: install ## Run the reference mock in the foreground (MOCK_HOST, MOCK_PORT, MOCK_ARGS="--fault NAME ...")
	$(BIN)/dws-mock --host $(MOCK_HOST) --port $(MOCK_PORT) $(MOCK_ARGS)

bench-mock: install ## Benchmark the mock: req/s and p50/p99 vs Prism at 16 connections, 1M-record pages, 60 s soak
	$(PY) scripts/bench_mock.py --out build/bench/mock.json

bench-contract: install ## Benchmark the contract suite vs plain `st run`: wall time, cases/s, and every fault mode caught or missed by each
	$(PY) -m scripts.bench_contract

diff: $(PY_STAMP) $(NODE_STAMP) ## Breaking-change gate: rate openapi.yaml changes since BASE=<git ref>, fail on a too-small version bump
	$(PY) scripts/spec_diff.py "$(BASE)"

compat: $(PY_STAMP) $(NODE_STAMP) ## Run BASE=<git ref>'s contract against the new mock and today's against BASE's, joined with `make diff` (build/compat)
	$(PY) -m dws_contract.compat "$(BASE)" $(COMPAT_ARGS)

docs: $(PY_STAMP) $(NODE_STAMP) ## Render openapi.yaml into build/docs/index.html, one self-contained offline page (Redoc inlined)
	$(PY) scripts/build_docs.py

test-docs: chromium docs ## Open the reference page in headless Chromium, check what it shows, save build/docs/screenshot.png
	$(BIN)/pytest tests/docs -q

bench-proxy: install ## Benchmark the validating proxy: req/s, p50/p99 direct vs through it vs through Prism's proxy, 16 connections
	$(PY) -m scripts.bench_proxy --out build/bench/proxy.json

bench-client: install ## Benchmark our client layer vs huaweicloudsdkdws on one mock: parse a 1,000-record page, iterate 100,000
	$(PY) scripts/bench_client.py --json build/bench/client.json

clean: ## Remove .venv, node_modules and build/report output
	rm -rf $(VENV) node_modules build reports .hypothesis .schemathesis .mypy_cache .ruff_cache
