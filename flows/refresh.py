"""The `refresh` flow: ingest -> extract -> load -> validate -> publish, in batches.

Orchestration only: every task calls one function of transforms/, warehouse/ or expectations/.
"""

from __future__ import annotations

import gc
import os
import resource
import shutil
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.tasks import exponential_backoff

from expectations.gate import GateResult, import_in_background
from expectations.report import validation_files
from expectations.validate import validate_release
from flows.runners import task_runner
from transforms.batches import chunked_frame, concat_frames
from transforms.clean import clean_batch, set_aside, settle_identity, sum_furniture
from transforms.extract import FAILURE_SCHEMA, Extraction, current_extractor_version, extract_isolating
from transforms.fetch import (NOT_MODIFIED_SCHEMA, PAGE_SCHEMA, FetchOutcome, FetchPolicy, TransientFetchErrors,
                              fetch_pages, requests_for, retry_requests, settle)
from transforms.ingest import QUARANTINE_SCHEMA, discover, inputs_fingerprint, read_files, reader_version
from transforms.manifest import Source, load_manifest, sources_from_arguments
from transforms.ontology import default_ontology
from warehouse.cache import documents_to_extract, evict_unused, store_extraction
from warehouse.home import Home
from warehouse.pages import remember_pages, with_validators
from warehouse.publish import PublishResult, pending_version, publish, read_catalog
from warehouse.read_cache import CachedReads, cached_reads, forget_missing_files, store_reads, with_texts
from warehouse.release import Table, data_fingerprint, release_digests, release_tables
from warehouse.store import (LOAD_MEMORY_LIMIT, checkpoints_deferred, connect, finish_run, inherit_unchanged_run,
                             load_refresh, start_run)

PIPELINE_VERSION = "0.1.0"
BUNDLED_CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"
BUNDLED_MANIFEST = BUNDLED_CORPUS.parent / "sources.yaml"
URLS_PER_TASK = 25
# extraction batches submitted ahead of the one being stored: enough to keep every core of this machine
# busy while a batch is stored (a Dask cluster larger than it is fed at the same pace)
EXTRACTIONS_AHEAD = 2 * (os.cpu_count() or 1)
# extraction batches stored between two runs of Python's cyclic garbage collector (see `_extract_and_store`)
COLLECT_EVERY = 8


@dataclass
class RefreshSummary:
    run_id: str
    n_documents: int
    n_quarantined: int
    n_claims: int
    n_comparisons: int
    n_extracted: int
    n_cached: int
    n_downloaded: int
    n_not_modified: int
    validation: str
    outcome: str                     # published | unchanged | blocked
    version: str | None
    path: str | None
    failed_expectations: list[str] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    n_chars: int = 0                                   # characters of text ingested (after cleaning)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    stage_peak_rss_mb: dict[str, float] = field(default_factory=dict)
    n_files_read: int = 0                              # files read this run (the others came from the read cache)
    n_evicted: int = 0                                 # documents' results dropped from the extraction cache


class StageClock:
    """Wall time per stage of a run, and the process's peak memory when each stage ended."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_rss_mb: dict[str, float] = {}
        self._mark = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(self.seconds.get(stage, 0.0) + now - self._mark, 3)
        self.peak_rss_mb[stage] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        self._mark = now


@task(cache_policy=NO_CACHE)
def plan_task(items: list[str]) -> list[Source]:
    return sources_from_arguments(items) if items else load_manifest(BUNDLED_MANIFEST)


@task(cache_policy=NO_CACHE)
def discover_task(sources: list[Source]) -> tuple[pl.DataFrame, pl.DataFrame]:
    return discover(sources)


@task(cache_policy=NO_CACHE)
def requests_task(home: Home, sources: list[Source]) -> pl.DataFrame:
    with connect(home.warehouse) as con:
        return with_validators(con, requests_for(sources))


def _only_transient(_task, _run, state) -> bool:
    """Retry a fetch batch only when some of its URLs failed in a way that may pass."""
    try:
        state.result()
    except TransientFetchErrors:
        return True
    except BaseException:
        return False
    return False


@task(cache_policy=NO_CACHE)
def fetch_task(requests: pl.DataFrame, policy: FetchPolicy) -> FetchOutcome:
    return fetch_pages(requests, policy)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_jitter_factor=0.5, retry_condition_fn=_only_transient)
def refetch_task(requests: pl.DataFrame, policy: FetchPolicy) -> FetchOutcome:
    """Only the URLs that failed transiently, retried with backoff while any of them still fails."""
    outcome = fetch_pages(requests, policy)
    if outcome.transient:
        raise TransientFetchErrors(outcome)
    return outcome


def _fetched(future: PrefectFuture) -> FetchOutcome:
    """A fetch batch's outcome; after the last retry, the outcome its transient failure carried."""
    result = future.result(raise_on_failure=False)
    if isinstance(result, TransientFetchErrors):
        return result.outcome
    if isinstance(result, BaseException):
        raise result
    return result


@task(cache_policy=NO_CACHE)
def pages_task(home: Home, outcomes: list[FetchOutcome]) -> pl.DataFrame:
    with connect(home.warehouse) as con:
        return remember_pages(con, concat_frames([o.pages for o in outcomes], PAGE_SCHEMA),
                              concat_frames([o.not_modified for o in outcomes], NOT_MODIFIED_SCHEMA))


@task(cache_policy=NO_CACHE)
def cached_reads_task(home: Home, files: pl.DataFrame, force: bool) -> CachedReads:
    """Files to read, and what earlier reads made of the unchanged ones (nothing when `force`)."""
    with connect(home.warehouse) as con:
        forget_missing_files(con, files)
        return cached_reads(con, files, reader_version(), reuse=not force)


@task(cache_policy=NO_CACHE)
def store_read_task(con: duckdb.DuckDBPyConnection, files: pl.DataFrame,
                    read: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], version: str) -> None:
    store_reads(con, files, *read, version)


@task(cache_policy=NO_CACHE)
def read_task(files: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Read and clean one batch: (candidate documents, quarantine, furniture counts)."""
    raw, unreadable = read_files(files)
    candidates, refused, furniture = clean_batch(raw)
    return candidates, concat_frames([unreadable, refused]), furniture


@task(cache_policy=NO_CACHE)
def clean_pages_task(pages: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return clean_batch(pages)


@task(cache_policy=NO_CACHE)
def settle_task(candidates: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    return settle_identity(candidates)


@task(cache_policy=NO_CACHE)
def cache_task(home: Home, documents: pl.DataFrame) -> pl.DataFrame:
    """The documents to extract, with their text (read from the read cache where it stayed)."""
    with connect(home.warehouse) as con:
        return with_texts(con, documents_to_extract(con, documents, current_extractor_version()))


@task(cache_policy=NO_CACHE)
def extract_task(documents: pl.DataFrame) -> tuple[pl.DataFrame, Extraction, pl.DataFrame]:
    """One batch's (doc_ids extracted, their claims and comparisons, documents the extractor failed on)."""
    extraction, failed = extract_isolating(documents)
    return documents.select("doc_id").join(failed, on="doc_id", how="anti"), extraction, failed


@task(cache_policy=NO_CACHE)
def store_task(con: duckdb.DuckDBPyConnection, extracted: pl.DataFrame, extraction: Extraction) -> None:
    store_extraction(con, extracted, extraction.claims, extraction.comparisons, current_extractor_version())


def _released(futures: list[PrefectFuture]) -> Iterator:
    """The futures' results in order; each future is let go once read (it would keep its result alive)."""
    for position, future in enumerate(futures):
        result = future.result()
        futures[position] = None
        yield result


def _gather_reads(batches: list[tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]]
                  ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Read batches stacked: (candidate documents, quarantine, furniture counts)."""
    candidates = concat_frames([b[0] for b in batches])
    quarantine = concat_frames([b[1] for b in batches])
    furniture = sum_furniture([b[2] for b in batches])
    batches.clear()
    return candidates, quarantine, furniture


def _remember_reads(home: Home, batches: list[pl.DataFrame], futures: list[PrefectFuture]) -> list[tuple]:
    """Each read batch's results, stored in the read cache as soon as it arrives, while the batches after
    it are still read (DuckDB's inserts let go of the GIL that reading holds between files).

    Every batch is stored through one connection, a transaction each: at 20,000 documents a connection
    per batch took 3.8 s against 1.2 s (each close checkpoints, and each opening reads again the paths
    that the batch's reads replace). The reading code is hashed once (`reader_version`), not per batch.
    Checkpoints wait for the last batch (`checkpoints_deferred`); with both changes, ingest at 100,000
    documents went 43.1 -> 34.9 s and its peak memory 2.26 -> 1.86 GB. (Deferred in the extraction's stores
    as well, they saved no time and held 1.4 GB of claims uncheckpointed: peak 2.6 -> 4.0 GB.)"""
    results: list[tuple] = []
    if not futures:
        return results
    version = reader_version()
    with connect(home.warehouse) as con, checkpoints_deferred(con):
        for files, result in zip(batches, _released(futures)):
            store_read_task(con, files, result, version)
            results.append(result)
    return results


def _extract_and_store(home: Home, batches: Iterator[pl.DataFrame], ahead: int) -> pl.DataFrame:
    """Extract the batches on the task runner and store each batch's results when it arrives, then let
    them go: the corpus's claims are never held in Python at once. At most `ahead` batches are submitted
    and not yet stored, so finished results cannot pile up when storing is slower than extracting.

    A task's result stays referenced from Prefect's task run engine and transaction, which form
    reference cycles: it is freed only by Python's cyclic collector, which the extraction (native polars
    work, few Python objects) rarely triggers. Without a collection every `COLLECT_EVERY` batches the
    process grew by 1.4 GB over the 50 batches of 100,000 documents (about 30 MB a batch); one full
    collection costs about 0.3 s.

    Every batch is stored through one connection, held open for the whole loop: a connection per batch
    checkpointed the warehouse at each close and read the growing cache again at each opening (30
    batches of 2,000 documents: 28.3 s of storing against 15.7 s). Returns the documents the extractor
    failed on."""
    pending: deque[PrefectFuture] = deque()
    failures = []
    stored = 0

    def store_oldest(con: duckdb.DuckDBPyConnection) -> None:
        nonlocal stored
        extracted, extraction, failed = pending.popleft().result()
        store_task(con, extracted, extraction)
        failures.append(failed)
        stored += 1
        if stored % COLLECT_EVERY == 0:
            gc.collect()

    with connect(home.warehouse) as con:
        for batch in batches:
            pending.append(extract_task.submit(batch))
            if len(pending) > ahead:
                store_oldest(con)
        while pending:
            store_oldest(con)
    gc.collect()
    return concat_frames(failures, FAILURE_SCHEMA)


@task(cache_policy=NO_CACHE)
def load_task(home: Home, run_id: str, documents: pl.DataFrame, quarantine: pl.DataFrame,
              furniture: pl.DataFrame) -> tuple[int, int, int]:
    """(claims, comparisons, documents evicted from the extraction cache) of the loaded corpus."""
    version = current_extractor_version()
    with connect(home.warehouse, memory_limit=LOAD_MEMORY_LIMIT) as con:
        n_claims, n_comparisons = load_refresh(con, run_id, documents, quarantine, furniture, version)
        return n_claims, n_comparisons, evict_unused(con, version)


@task(cache_policy=NO_CACHE)
def release_task(home: Home, run_id: str) -> dict[str, Table]:
    with connect(home.warehouse, read_only=True) as con:
        return release_tables(con, default_ontology(), home.staging / run_id)


@task(cache_policy=NO_CACHE)
def digests_task(tables: dict[str, Table]) -> dict[str, pl.DataFrame]:
    return release_digests(tables)


@task(cache_policy=NO_CACHE)
def validate_task(home: Home, tables: dict[str, Table], accepted_changes: str | None,
                  digests: dict[str, pl.DataFrame]) -> GateResult:
    return validate_release(home, tables, default_ontology(), accepted_changes, incremental=True, digests=digests)


def _versions() -> dict[str, str]:
    ontology = default_ontology()
    return {"pipeline_version": PIPELINE_VERSION, "ontology_version": ontology.version,
            "extractor_version": current_extractor_version(ontology)}


@task(cache_policy=NO_CACHE)
def data_fingerprint_task(tables: dict[str, Table], digests: dict[str, pl.DataFrame]) -> str:
    return data_fingerprint(tables, digests)


@task(cache_policy=NO_CACHE)
def pending_version_task(home: Home, tables: dict[str, Table], fingerprint: str) -> str | None:
    return pending_version(home, tables, _versions(), fingerprint)


@task(cache_policy=NO_CACHE)
def publish_task(home: Home, tables: dict[str, Table], gate: GateResult, quarantine: pl.DataFrame,
                 fingerprint: str, digests: dict[str, pl.DataFrame]) -> PublishResult:
    ontology = default_ontology()
    metadata = {
        **_versions(),
        "vocabulary_sha256": ontology.sha256,
        "source_documents": sorted(tables["documents"]["doc_id"].to_list()),
        "n_quarantined": quarantine.height,
        "quarantined_by_reason": dict(sorted(quarantine["reason"].value_counts().iter_rows())) if quarantine.height else {},
        "accepted_changes": gate.accepted_changes,
    }
    return publish(home, tables, ontology, gate.summary(), validation_files(gate, "Validation"), metadata,
                   fingerprint, digests)


@task(cache_policy=NO_CACHE)
def fingerprint_task(files: pl.DataFrame, problems: pl.DataFrame, pages: pl.DataFrame) -> str:
    return inputs_fingerprint(files, problems, pages, _versions())


@task(cache_policy=NO_CACHE)
def same_inputs_task(home: Home, run_id: str, fingerprint: str) -> dict | None:
    """The last run, when it read exactly these inputs, finished well, and its version is still latest
    (this run then inherits its counts and quarantine)."""
    with connect(home.warehouse) as con:
        return inherit_unchanged_run(con, run_id, fingerprint, read_catalog(home).get("latest"))


@task(cache_policy=NO_CACHE)
def record_task(home: Home, run_id: str, outcome: str, version: str | None, message: str | None,
                fingerprint: str | None = None) -> None:
    with connect(home.warehouse) as con:
        finish_run(con, run_id, outcome, version, message, fingerprint)


def _finish(home: Home, run_id: str, summary: RefreshSummary, clock: StageClock, fingerprint: str
            ) -> RefreshSummary:
    clock.lap("publish")
    shutil.rmtree(home.staging / run_id, ignore_errors=True)
    summary.stage_seconds, summary.stage_peak_rss_mb = clock.seconds, clock.peak_rss_mb
    record_task(home, run_id, summary.outcome, summary.version, "; ".join(summary.failed_expectations) or None,
                fingerprint)
    return summary


@flow(name="refresh", log_prints=False, task_runner=task_runner("threads"))
def refresh(sources: list[str] | None = None, home: str | None = None, accept_changes: str | None = None,
            batch_size: int = 2000, fetch_policy: FetchPolicy | None = None, fetch_retries: int = 2,
            force: bool = False) -> RefreshSummary:
    """Turn source documents into a validated, published dataset version (or publish nothing).

    `sources` are paths, URLs or manifests (default: the bundled corpus's manifest). Inputs equal to
    the last good run's are not read again unless `force`.
    """
    clock = StageClock()
    kvp_home = Home.resolve(home).create()
    run_id = uuid.uuid4().hex
    shutil.rmtree(kvp_home.staging, ignore_errors=True)    # what a killed run left behind
    with connect(kvp_home.warehouse) as con:
        start_run(con, run_id)
    # the objects alive now (modules, Prefect's engine, the ontology: about 345,000) are left out of the
    # run's full collections (see `_extract_and_store`), which then cost 0.03 s instead of 0.3-0.4 s
    # each; they go back to the collector when the run ends, so a serving process does not keep them
    gc.freeze()
    try:
        plan = plan_task([str(s) for s in sources or []])
        files, missing = discover_task(plan)
        requests = requests_task(kvp_home, plan)
        policy = fetch_policy or FetchPolicy()
        fetches = [fetch_task.submit(batch, policy) for batch in chunked_frame(requests, URLS_PER_TASK) if batch.height]
        outcomes = [f.result() for f in fetches]
        again = retry_requests(requests, outcomes)
        if again.height and fetch_retries:
            refetch = refetch_task.with_options(retries=fetch_retries - 1)
            outcomes = settle(outcomes, [_fetched(refetch.submit(batch, policy))
                                         for batch in chunked_frame(again, URLS_PER_TASK)])
        pages = pages_task(kvp_home, outcomes)
        refused = concat_frames([missing, *[o.quarantine for o in outcomes]], QUARANTINE_SCHEMA)
        n_downloaded = sum(o.pages.height for o in outcomes)
        n_not_modified = sum(o.not_modified.height for o in outcomes)
        fingerprint = fingerprint_task(files, refused, pages)
        previous = None if force else same_inputs_task(kvp_home, run_id, fingerprint)
        if previous is not None:   # nothing to read: the last run read exactly these inputs
            summary = RefreshSummary(run_id, previous["n_documents"], previous["n_quarantined"], previous["n_claims"],
                                     previous["n_comparisons"], 0, previous["n_documents"], n_downloaded,
                                     n_not_modified, "skipped", "unchanged", previous["version"],
                                     str(kvp_home.published / previous["version"]))
            clock.lap("ingest")
            return _finish(kvp_home, run_id, summary, clock, fingerprint)
        known = cached_reads_task(kvp_home, files, force)
        n_files_read = known.to_read.height
        to_read = [batch for batch in chunked_frame(known.to_read, batch_size) if batch.height]
        reads = _remember_reads(kvp_home, to_read, [read_task.submit(batch) for batch in to_read])
        candidates, early_quarantine, furniture = _gather_reads(
            [clean_pages_task(pages), (known.candidates, known.refused, known.furniture), *reads])
        del known
        gc.collect()        # the read tasks' engines, in reference cycles, held a second copy of every text
        clock.lap("ingest")
        documents, copies = settle_task(candidates)
        del candidates                 # the text is held once: in `documents` (when read this run)
        clock.lap("clean")
        quarantine = concat_frames([refused, early_quarantine, copies])
        to_extract = cache_task(kvp_home, documents)
        n_to_extract = to_extract.height
        clock.lap("cache")
        failed = _extract_and_store(kvp_home, (batch for batch in chunked_frame(to_extract, batch_size) if batch.height),
                                    ahead=EXTRACTIONS_AHEAD)
        del to_extract
        documents, unextractable = set_aside(documents, failed, "unextractable")
        quarantine = concat_frames([quarantine, unextractable])
        clock.lap("extract")
        # the gate's library loads while DuckDB loads and stages the release (long calls that let go of
        # the GIL); loading it beside the reading of files or the extraction (Python between short calls)
        # slowed them more than the import itself costs: at 10,000 documents ingest 5.4 -> 9.2 s, extract 7.9 -> 12.1 s
        import_in_background()
        n_claims, n_comparisons, n_evicted = load_task(kvp_home, run_id, documents, quarantine, furniture)
        documents = documents.select("doc_id", "n_chars")   # the text is in the warehouse now
        gc.collect()        # the load task's engine, in a reference cycle, still held the text (see `_extract_and_store`)
        clock.lap("load")
        tables = release_task(kvp_home, run_id)
        digests = digests_task(tables)
        clock.lap("release")
        summary = RefreshSummary(
            run_id, documents.height, quarantine.height, n_claims, n_comparisons,
            n_to_extract, documents.height - n_to_extract, n_downloaded, n_not_modified,
            "skipped", "unchanged", None, None, [], quarantine.select("source", "reason", "detail").to_dicts(),
            int(documents["n_chars"].sum() or 0), n_files_read=n_files_read, n_evicted=n_evicted,
        )
        data_print = data_fingerprint_task(tables, digests)
        pending = pending_version_task(kvp_home, tables, data_print)
        if pending is None:       # the same data as latest, which was validated when it was published
            summary.version = read_catalog(kvp_home)["latest"]
            summary.path = str(kvp_home.published / summary.version)
            return _finish(kvp_home, run_id, summary, clock, fingerprint)
        gate = validate_task(kvp_home, tables, accept_changes, digests)
        clock.lap("validate")
        summary.validation, summary.outcome = ("passed" if gate.success else "failed"), "blocked"
        summary.failed_expectations = [f"{o.table}: {o.name} ({o.description}); unexpected {o.unexpected_count}"
                                       for o in gate.failed]
        if gate.success:
            published = publish_task(kvp_home, tables, gate, quarantine, data_print, digests)
            summary.outcome, summary.version = published.outcome, published.version
            summary.path = str(published.path) if published.path else None
        return _finish(kvp_home, run_id, summary, clock, fingerprint)
    except BaseException as error:
        shutil.rmtree(kvp_home.staging / run_id, ignore_errors=True)
        record_task(kvp_home, run_id, "failed", None, f"{type(error).__name__}: {error}")
        raise
    finally:
        gc.unfreeze()

