"""The `refresh` flow: ingest -> extract -> load -> validate -> publish, in batches.

Orchestration only: every task calls one function of transforms/, warehouse/ or expectations/.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from expectations.gate import GateResult
from expectations.report import validation_files
from expectations.validate import validate_release
from transforms.batches import chunked, chunked_frame, concat_extractions, concat_frames
from transforms.clean import clean_documents
from transforms.extract import Extraction, current_extractor_version, extract
from transforms.ingest import SourceFile, discover, read_files
from transforms.ontology import default_ontology
from warehouse.cache import split_by_cache
from warehouse.home import Home
from warehouse.publish import PublishResult, publish
from warehouse.release import release_tables
from warehouse.store import connect, finish_run, load_refresh, start_run

PIPELINE_VERSION = "0.1.0"
BUNDLED_CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"


@dataclass
class RefreshSummary:
    run_id: str
    n_documents: int
    n_quarantined: int
    n_claims: int
    n_comparisons: int
    n_extracted: int
    n_cached: int
    validation: str
    outcome: str                     # published | unchanged | blocked
    version: str | None
    path: str | None
    failed_expectations: list[str] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)


@task(cache_policy=NO_CACHE)
def discover_task(roots: list[str]) -> tuple[list[SourceFile], pl.DataFrame]:
    return discover([Path(r) for r in roots])


@task(cache_policy=NO_CACHE)
def read_task(files: list[SourceFile]) -> tuple[pl.DataFrame, pl.DataFrame]:
    return read_files(files)


@task(cache_policy=NO_CACHE)
def clean_task(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return clean_documents(raw)


@task(cache_policy=NO_CACHE)
def cache_task(home: Home, documents: pl.DataFrame) -> tuple[pl.DataFrame, Extraction]:
    with connect(home.warehouse) as con:
        missing, claims, comparisons = split_by_cache(con, documents, current_extractor_version())
    return missing, Extraction(claims, comparisons)


@task(cache_policy=NO_CACHE)
def extract_task(documents: pl.DataFrame) -> Extraction:
    return extract(documents)


@task(cache_policy=NO_CACHE)
def load_task(home: Home, run_id: str, documents: pl.DataFrame, extraction: Extraction, quarantine: pl.DataFrame,
              furniture: pl.DataFrame, extracted: pl.DataFrame) -> None:
    with connect(home.warehouse) as con:
        load_refresh(con, run_id, documents, extraction.claims, extraction.comparisons, quarantine, furniture,
                     extracted.select("doc_id"), current_extractor_version())


@task(cache_policy=NO_CACHE)
def release_task(home: Home) -> dict[str, pl.DataFrame]:
    with connect(home.warehouse, read_only=True) as con:
        return release_tables(con, default_ontology())


@task(cache_policy=NO_CACHE)
def validate_task(home: Home, tables: dict[str, pl.DataFrame], accepted_changes: str | None) -> GateResult:
    return validate_release(home, tables, default_ontology(), accepted_changes)


@task(cache_policy=NO_CACHE)
def publish_task(home: Home, tables: dict[str, pl.DataFrame], gate: GateResult, n_quarantined: int) -> PublishResult:
    ontology = default_ontology()
    metadata = {
        "pipeline_version": PIPELINE_VERSION,
        "ontology_version": ontology.version,
        "vocabulary_sha256": ontology.sha256,
        "extractor_version": current_extractor_version(ontology),
        "source_documents": sorted(tables["documents"]["doc_id"].to_list()),
        "n_quarantined": n_quarantined,
        "accepted_changes": gate.accepted_changes,
    }
    return publish(home, tables, ontology, gate.summary(), validation_files(gate, "Validation"), metadata)


@task(cache_policy=NO_CACHE)
def record_task(home: Home, run_id: str, outcome: str, version: str | None, message: str | None) -> None:
    with connect(home.warehouse) as con:
        finish_run(con, run_id, outcome, version, message)


@flow(name="refresh", log_prints=False)
def refresh(sources: list[str] | None = None, home: str | None = None, accept_changes: str | None = None,
            batch_size: int = 2000) -> RefreshSummary:
    """Turn source documents into a validated, published dataset version (or publish nothing)."""
    kvp_home = Home.resolve(home).create()
    run_id = uuid.uuid4().hex
    with connect(kvp_home.warehouse) as con:
        start_run(con, run_id)
    try:
        files, missing = discover_task([str(s) for s in (sources or [BUNDLED_CORPUS])])
        reads = [read_task.submit(batch) for batch in chunked(files, batch_size)]
        raw = concat_frames([r.result()[0] for r in reads])
        documents, dropped, furniture = clean_task(raw)
        quarantine = concat_frames([missing, *[r.result()[1] for r in reads], dropped])
        to_extract, cached = cache_task(kvp_home, documents)
        extractions = [extract_task.submit(batch) for batch in chunked_frame(to_extract, batch_size)]
        extraction = concat_extractions([cached, *[e.result() for e in extractions]])
        load_task(kvp_home, run_id, documents, extraction, quarantine, furniture, to_extract)
        tables = release_task(kvp_home)
        gate = validate_task(kvp_home, tables, accept_changes)
        summary = RefreshSummary(
            run_id, documents.height, quarantine.height, extraction.claims.height, extraction.comparisons.height,
            to_extract.height, documents.height - to_extract.height,
            "passed" if gate.success else "failed", "blocked", None, None,
            [f"{o.table}: {o.name} ({o.description}); unexpected {o.unexpected_count}" for o in gate.failed],
            quarantine.select("source", "reason", "detail").to_dicts(),
        )
        if gate.success:
            published = publish_task(kvp_home, tables, gate, quarantine.height)
            summary.outcome, summary.version = published.outcome, published.version
            summary.path = str(published.path) if published.path else None
        record_task(kvp_home, run_id, summary.outcome, summary.version, "; ".join(summary.failed_expectations) or None)
        return summary
    except BaseException as error:
        record_task(kvp_home, run_id, "failed", None, f"{type(error).__name__}: {error}")
        raise

