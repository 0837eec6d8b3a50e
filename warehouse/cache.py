"""The extraction cache: per-document results kept by (doc_id, extractor_version).

A refresh asks which of its documents this extractor has not seen yet, extracts only those, and
stores each batch's results here as soon as the batch is done: extraction results are never
gathered in Python as a whole. The published claims are then copied from here inside DuckDB (see
`warehouse.store.load_refresh`). A stored batch stays valid whether or not its run publishes, so a
run that fails later keeps its extraction work.

Entries the loaded corpus no longer uses (documents edited or removed since, results of another
extractor version) are evicted once they make up a share of the cache (`evict_unused`): without that,
every edited document and every ontology change left its old rows behind for good.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl

from warehouse.store import insert_frame, read_table, transaction

CACHED_TABLES = ("extracted_documents", "cached_claims", "cached_comparisons")
# unused entries, as a share of the used ones, at which they are evicted: the eviction reads the whole
# cache (at 100,000 documents about 0.45 s to delete and 0.45 s to checkpoint), so it waits until there
# is enough to remove; the cache then stays within 1 + this share of what the corpus needs (a refresh
# that changes 1% of the documents a day evicts about every tenth day)
EVICT_AT_UNUSED_SHARE = 0.10


def documents_to_extract(con: duckdb.DuckDBPyConnection, documents: pl.DataFrame, version: str) -> pl.DataFrame:
    """The documents this extractor version has not extracted yet."""
    con.register("_wanted", documents.select("doc_id").to_arrow())
    try:
        done = read_table(con, "SELECT DISTINCT e.doc_id FROM extracted_documents e JOIN _wanted USING (doc_id) "
                               "WHERE e.extractor_version = ?", [version])
    finally:
        con.unregister("_wanted")
    return documents.join(done, on="doc_id", how="anti") if done.height else documents


def store_extraction(con: duckdb.DuckDBPyConnection, extracted: pl.DataFrame, claims: pl.DataFrame,
                     comparisons: pl.DataFrame, version: str) -> None:
    """Remember the results for the `extracted` documents (doc_id column), in one transaction.

    Documents without a claim are remembered too: they need no second extraction either.
    """
    if extracted.is_empty():
        return
    counts = (
        extracted.select("doc_id")
        .join(claims.group_by("doc_id").agg(pl.len().alias("n_claims")), on="doc_id", how="left")
        .join(comparisons.group_by("doc_id").agg(pl.len().alias("n_comparisons")), on="doc_id", how="left")
        .with_columns(pl.col("n_claims", "n_comparisons").fill_null(0).cast(pl.Int64),
                      pl.lit(version).alias("extractor_version"),
                      pl.lit(datetime.now(UTC)).alias("extracted_at"))
    )
    fresh = pl.col("doc_id").is_in(extracted["doc_id"].implode())
    with transaction(con):
        con.register("_extracted", counts.to_arrow())
        try:
            for table in CACHED_TABLES:
                con.execute(f"DELETE FROM {table} WHERE extractor_version = ? "
                            "AND doc_id IN (SELECT doc_id FROM _extracted)", [version])
            con.execute("INSERT INTO extracted_documents BY NAME SELECT * FROM _extracted")
        finally:
            con.unregister("_extracted")
        insert_frame(con, "cached_claims", claims, keep=fresh)
        insert_frame(con, "cached_comparisons", comparisons, keep=fresh)


def evict_unused(con: duckdb.DuckDBPyConnection, extractor_version: str,
                 at_share: float = EVICT_AT_UNUSED_SHARE) -> int:
    """Delete the cache entries the loaded documents do not use under `extractor_version`, when there
    are at least `at_share` as many of them as used ones (in documents); returns the documents evicted.

    Run after a load: the `documents` table is then the corpus being published. An evicted document that
    comes back is extracted again, which is all the cache saves. Entries stored by a run that failed
    before its load are of documents not yet loaded, and are evicted with the rest."""
    unused, used = con.execute(
        "SELECT count(*) FILTER (WHERE NOT used), count(*) FILTER (WHERE used) FROM ("
        "  SELECT e.extractor_version = ? AND d.doc_id IS NOT NULL AS used"
        "  FROM extracted_documents e LEFT JOIN documents d USING (doc_id))", [extractor_version]).fetchone()
    if unused == 0 or unused < at_share * used:
        return 0
    with transaction(con):
        for table in CACHED_TABLES:
            con.execute(f"DELETE FROM {table} c WHERE c.extractor_version <> ? "
                        "OR NOT EXISTS (SELECT 1 FROM documents d WHERE d.doc_id = c.doc_id)", [extractor_version])
    return unused
