# dimona-adapter: every command installs what it needs (uv, then the locked dependencies).
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen

.PHONY: setup demo test test-fast lint fmt type check bench bench-scale bench-scale-out bench-parts chaos sandbox clean

setup: .venv/.synced
.venv/.synced: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv>=0.5"
	$(UV) sync --frozen --all-groups
	@touch $@

demo: setup ## run broker + sandbox + adapter on sample events
	$(RUN) dimona-adapter demo

test: setup ## the whole test suite (unit, contract, integration with a real broker)
	$(RUN) pytest

test-fast: setup ## unit and property tests only
	$(RUN) pytest tests/unit tests/properties tests/meta tests/commands/test_translate.py

lint: setup
	$(RUN) ruff check .
	$(RUN) ruff format --check .

fmt: setup
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

type: setup
	$(RUN) mypy

check: lint type test

bench: setup ## end-to-end benchmark vs the plain-consumer baseline (JSON + plots in bench/results/)
	$(RUN) dimona-adapter bench $(BENCH_ARGS)

bench-scale: setup ## 1k, 10k and 100k events: cost per declaration flat, memory bounded
	$(RUN) dimona-adapter bench --scale-only $(BENCH_ARGS)

bench-scale-out: setup ## 1 adapter on SQLite, then 1 and 2 in one group on PostgreSQL (127.0.0.1:5432)
	$(RUN) dimona-adapter bench --scale-out $(BENCH_ARGS)

bench-parts: setup ## component benchmarks: HTTP client transports, sandbox throughput
	$(RUN) python bench/dimona_client_bench.py
	$(RUN) python bench/sandbox_throughput.py --seconds 10 --concurrency 200 --latency-ms 50

chaos: setup ## seeded kill/cut/fault runs in both modes (sqlite, postgres-2); e.g. CHAOS_ARGS="--mode sqlite --seed 4242"
	$(RUN) dimona-adapter chaos $(CHAOS_ARGS)

sandbox: setup ## the Dimona sandbox alone on 127.0.0.1:8090
	$(RUN) dimona-adapter sandbox

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache
