# walletscan: `make run` starts the product, `make test` runs every test.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)

.PHONY: run test setup lint typecheck bench clean frontend frontend-check browser-setup evm-setup

# The dashboard (frontend/): installed from its lock file and built once; rebuilt only when
# its sources change. `make run` serves it, `make test` drives it in chromium.
FRONTEND_DEPS := frontend/node_modules/.package-lock.json
FRONTEND_BUILD := frontend/.next/BUILD_ID
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/package-lock.json frontend/next.config.mjs frontend/postcss.config.mjs frontend/tsconfig.json
export NEXT_TELEMETRY_DISABLED := 1

setup: $(UV)
	$(UV) sync --frozen

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

run: setup frontend
	$(UV) run --frozen python -m walletscan_platform.localstack

test: setup frontend browser-setup evm-setup
	WALLETSCAN_BROWSER_TESTS=required $(UV) run --frozen pytest

# The EVM tests' real node (anvil) and Solidity compiler (solcjs), from the npm registry as
# pinned in libs/testkit/evm/package-lock.json (the anvil binary ships inside the package).
EVM_DEPS := libs/testkit/evm/node_modules/.package-lock.json
$(EVM_DEPS): libs/testkit/evm/package-lock.json
	cd libs/testkit/evm && npm ci --no-audit --no-fund

evm-setup: $(EVM_DEPS)

$(FRONTEND_DEPS): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

$(FRONTEND_BUILD): $(FRONTEND_DEPS) $(FRONTEND_SOURCES)
	cd frontend && npm run build

frontend: $(FRONTEND_BUILD)

# Lint, types, component tests, and the API client against the gateway's schema (drift).
frontend-check: setup $(FRONTEND_DEPS)
	cd frontend && WALLETSCAN_PYTHON=$(CURDIR)/.venv/bin/python npm run api:check
	cd frontend && npm run lint
	cd frontend && npm run typecheck
	cd frontend && npm test

browser-setup:
	bash tests/browser/setup.sh

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

typecheck: setup
	$(UV) run --frozen mypy

bench: setup
	$(UV) run --frozen python bench/scan.py

clean:
	rm -rf .data .artifacts frontend/.next
