"""Validating what the next publish would contain, against the warehouse and the latest version."""

from __future__ import annotations

import json

import polars as pl

from expectations.batches import ValidatedBefore, validation_frames
from expectations.gate import GateResult, previous_statistics, row_checks_fingerprint, run_gate, whole_table_columns
from expectations.suites import build_checks
from transforms.ontology import Ontology
from warehouse.home import Home
from warehouse.publish import read_catalog
from warehouse.release import Table, kept_digests
from warehouse.store import connect


def latest_statistics(home: Home) -> dict | None:
    catalog = read_catalog(home)
    latest = catalog.get("latest")
    if not latest:
        return None
    claims = pl.read_parquet(home.published / latest / "claims.parquet", columns=["subject", "hedged", "negated"])
    return previous_statistics(latest, claims)


def validated_before(home: Home, row_checks: str) -> ValidatedBefore | None:
    """The latest version's documents and per-document digests when its gate ran these same row checks
    (anything unreadable: None, and every row is checked). The digests come from the version's
    `validation/document_digests.parquet` (see `warehouse.release.kept_digests`)."""
    latest = read_catalog(home).get("latest")
    if not latest:
        return None
    folder = home.published / latest
    try:
        summary = json.loads((folder / "validation" / "summary.json").read_text(encoding="utf-8"))
        if summary.get("row_checks") != row_checks or not summary.get("success"):
            return None
        documents = pl.read_parquet(folder / "documents.parquet", columns=["doc_id", "n_chars"])
        digests = kept_digests(folder)
    except (OSError, ValueError, pl.exceptions.PolarsError):
        return None
    return ValidatedBefore(latest, documents, digests)


def validate_release(home: Home, tables: dict[str, Table], ontology: Ontology,
                     accepted_changes: str | None = None, incremental: bool = False,
                     digests: dict[str, pl.DataFrame] | None = None) -> GateResult:
    """Run every suite over the tables to publish, evidence checked against the warehouse's text.

    `incremental`: the rows of documents whose text and rows equal those the latest version validated
    with the same row checks are not checked row by row again (whole-table checks see all);
    `digests`: the release's per-document digests, when the caller has them."""
    checks = build_checks(ontology, previous=latest_statistics(home), with_text=True)
    before = validated_before(home, row_checks_fingerprint(checks)) if incremental else None
    with connect(home.warehouse, read_only=True) as con:
        frames = validation_frames(tables, con, whole_table_columns(checks), before, digests)
        return run_gate(frames, checks, accepted_changes, before.version if before else None)


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
