# Two entry points for a fresh machine (Python 3.11 and pip): `make run` and `make test`.
# The environment is built from the lock file (uv.lock) by uv, which is bootstrapped with pip.

PYTHON ?= python3
BOOT   := .venv-boot
UV     := $(BOOT)/bin/uv
VENV   := .venv
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1
# compile every installed module once, at install: a machine that sets PYTHONDONTWRITEBYTECODE (this one
# does) otherwise compiles Prefect, polars and Great Expectations from source in every process it starts
# (importing Great Expectations took 9.4 s without bytecode, 5.1 s with it; Prefect and polars 3.8 -> 2.1 s)
export UV_COMPILE_BYTECODE := 1

.PHONY: run test env test-env bench clean

$(UV):
	$(PYTHON) -m venv $(BOOT)
	$(BOOT)/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

env: $(UV)
	$(UV) sync --frozen --quiet

test-env: $(UV)
	$(UV) sync --frozen --quiet --extra test

run: env
	$(VENV)/bin/kvp refresh

test: test-env
	$(VENV)/bin/python -m pytest

bench: $(UV)
	$(UV) sync --frozen --quiet --extra bench
	$(VENV)/bin/python -m benchmarks.extraction
	$(VENV)/bin/python -m benchmarks.refresh --documents 10000

clean:
	rm -rf $(VENV) $(BOOT) kvp-home .pytest_cache
