"""Validating what the next publish would contain, against the warehouse and the latest version."""

from __future__ import annotations

import polars as pl

from expectations.batches import validation_frames
from expectations.gate import GateResult, previous_statistics, run_gate, whole_table_columns
from expectations.suites import build_checks
from transforms.ontology import Ontology
from warehouse.home import Home
from warehouse.publish import read_catalog
from warehouse.release import Table
from warehouse.store import connect


def latest_statistics(home: Home) -> dict | None:
    catalog = read_catalog(home)
    latest = catalog.get("latest")
    if not latest:
        return None
    claims = pl.read_parquet(home.published / latest / "claims.parquet", columns=["subject", "hedged", "negated"])
    return previous_statistics(latest, claims)


def validate_release(home: Home, tables: dict[str, Table], ontology: Ontology,
                     accepted_changes: str | None = None) -> GateResult:
    """Run every suite over the tables to publish, evidence checked against the warehouse's text."""
    checks = build_checks(ontology, previous=latest_statistics(home), with_text=True)
    with connect(home.warehouse, read_only=True) as con:
        frames = validation_frames(tables, con, whole_table_columns(checks))
    return run_gate(frames, checks, accepted_changes)


def package_problems(folder) -> list[str]:
    """A published folder against its datapackage.json: files, sizes, hashes and column schemas."""
    import json

    from warehouse.publish import verify_folder

    problems = verify_folder(folder)
    if problems and problems[0] == "datapackage.json is missing":
        return problems
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        path = folder / resource["path"]
        if not path.exists():
            continue
        try:
            columns = list(pl.read_parquet_schema(path))
        except Exception as error:  # a tampered file may not even parse
            problems.append(f"{resource['path']}: unreadable Parquet ({error})")
            continue
        declared = [f["name"] for f in resource["schema"]["fields"]]
        if columns != declared:
            problems.append(f"{resource['path']}: columns {columns} differ from datapackage.json {declared}")
    return problems


def validate_published(folder, ontology: Ontology) -> tuple[list[str], GateResult | None]:
    """Check a published version folder, wherever it was copied: package integrity, then the suites
    that need no warehouse (the evidence-equals-text check needs the document text, which is not
    published)."""
    from warehouse.release import PUBLISHED_TABLES

    problems = package_problems(folder)
    if problems:
        return problems, None
    from warehouse.release import STAGED_TABLE

    # the largest table is read slice by slice, as in a refresh
    tables = {name: (pl.scan_parquet if name == STAGED_TABLE else pl.read_parquet)(folder / f"{name}.parquet")
              for name in PUBLISHED_TABLES}
    checks = build_checks(ontology, previous=None, with_text=False)
    return [], run_gate(validation_frames(tables, None, whole_table_columns(checks)), checks)
