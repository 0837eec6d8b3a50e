"""Validating what the next publish would contain, against the warehouse and the latest version."""

from __future__ import annotations

import polars as pl

from expectations.batches import validation_frames
from expectations.gate import GateResult, previous_statistics, run_gate
from expectations.suites import build_checks
from transforms.ontology import Ontology
from warehouse.home import Home
from warehouse.publish import read_catalog
from warehouse.store import connect


def latest_statistics(home: Home) -> dict | None:
    catalog = read_catalog(home)
    latest = catalog.get("latest")
    if not latest:
        return None
    return previous_statistics(latest, pl.read_parquet(home.published / latest / "claims.parquet"))


def validate_release(home: Home, tables: dict[str, pl.DataFrame], ontology: Ontology,
                     accepted_changes: str | None = None) -> GateResult:
    """Run every suite over the tables to publish, with the text check run in the warehouse."""
    with connect(home.warehouse, read_only=True) as con:
        frames = validation_frames(tables, con)
    checks = build_checks(ontology, previous=latest_statistics(home), with_text=True)
    return run_gate(frames, checks, accepted_changes)
