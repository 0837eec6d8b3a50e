"""Shared fixtures: the bundled corpus, the gold file, and small documents frames."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import polars as pl
import pytest

# Prefect and GX keep their state in a throwaway folder; no telemetry.
_STATE = Path(tempfile.mkdtemp(prefix="kvp-test-state-"))
# registered before Prefect is imported, so it runs after Prefect's own exit handlers stop its server
atexit.register(shutil.rmtree, _STATE, ignore_errors=True)
os.environ.setdefault("PREFECT_HOME", str(_STATE / "prefect"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "corpus" / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seeds_gold() -> Path:
    return FIXTURES / "seeds.gold.jsonl"


def docs_frame(*texts: str) -> pl.DataFrame:
    """A documents frame of already-clean texts, ids by position."""
    return pl.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts)})
