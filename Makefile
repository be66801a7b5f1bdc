# walletscan: `make run` starts the product, `make test` runs every test.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)

.PHONY: run test setup lint typecheck bench clean

setup: $(UV)
	$(UV) sync --frozen

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

run: setup
	$(UV) run --frozen python -m walletscan_platform.localstack

test: setup
	$(UV) run --frozen pytest

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

typecheck: setup
	$(UV) run --frozen mypy

bench: setup
	$(UV) run --frozen python bench/scan.py

clean:
	rm -rf .data .artifacts
