# 医惠锡城 privacy-first analytics warehouse.  `make help` lists the targets.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
PRESET ?= small
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/yihui: pyproject.toml setup.py anonymizer/_hmac.c
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

install: $(BIN)/yihui ## Create .venv and install the project and its tools

run: install ## Generate the default source if absent and run the whole pipeline on it
	@if [ -z "$$YIHUI_MASTER_KEY" ] && [ ! -f $(DATA)/keys/master.key ]; then \
		echo "No master key found: creating a local DEMO key at $(DATA)/keys/master.key (keep real keys out of the repo)."; \
		$(BIN)/yihui keys init --data-dir $(DATA); fi
	@if [ ! -f $(DATA)/source/ops.sqlite ]; then \
		echo "No operational source yet: generating the '$(PRESET)' preset into $(DATA)/source/ops.sqlite"; \
		$(BIN)/yihui generate --preset $(PRESET) --data-dir $(DATA); fi
	$(BIN)/yihui run --data-dir $(DATA)

SPARK_VENV := .venv-spark
$(SPARK_VENV)/bin/dbt: requirements-spark.txt
	$(PY) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install -q --upgrade pip
	$(SPARK_VENV)/bin/pip install -q -r requirements-spark.txt
	@touch $@

spark: $(SPARK_VENV)/bin/dbt ## Install dbt-spark and PySpark (own virtualenv) for `yihui build --engine spark`

browser: ## Install Debian's chromium (headless) and a CJK font for the HTML report tests, if missing
	@command -v chromium >/dev/null || { echo "installing Debian chromium for the HTML report tests"; \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); export DEBIAN_FRONTEND=noninteractive; \
		$$SUDO apt-get install -y -q chromium >/dev/null || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium >/dev/null; }; }
	@[ -n "$$(fc-list :lang=zh 2>/dev/null)" ] || { echo "installing Debian fonts-noto-cjk: our pages are half Chinese"; \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); export DEBIAN_FRONTEND=noninteractive; \
		$$SUDO apt-get install -y -q fonts-noto-cjk >/dev/null || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q fonts-noto-cjk >/dev/null; }; }

test: install browser spark ## Run the whole test suite: lint (Python, SQL), pytest (unit, integration, PostgreSQL) and the dbt tests
	$(BIN)/ruff check core vault pipelines anonymizer audiences tests
	$(BIN)/lint-imports --no-cache
	$(BIN)/sqlfluff lint models tests/dbt --processes 2 --disable-progress-bar
	$(BIN)/pytest -n 2 --dist loadgroup

lint: install ## Lint Python (ruff) and the dbt SQL (sqlfluff)
	$(BIN)/ruff check core vault pipelines anonymizer audiences tests
	$(BIN)/lint-imports --no-cache
	$(BIN)/sqlfluff lint models tests/dbt --processes 2 --disable-progress-bar

$(VENV)/.bench-deps: $(BIN)/yihui pyproject.toml
	$(BIN)/pip install -q -e '.[dev,bench]'
	@touch $@

bench: $(VENV)/.bench-deps ## Measure pseudonymisation and redaction beside their peers (bench/results.json)
	$(BIN)/python -m bench.run

.PHONY: bench

clean: ## Remove the data folder (vault, warehouse, keys!) and build output
	rm -rf $(DATA) target logs

.PHONY: help install spark browser run test lint clean
