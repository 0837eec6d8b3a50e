"""The extraction cache: per-document results kept by (doc_id, extractor_version).

A refresh asks which of its documents were already extracted by this extractor, extracts only the
others, and stores their results in the same transaction that loads the refresh.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl

from warehouse.store import insert_frame, read_table


def split_by_cache(con: duckdb.DuckDBPyConnection, documents: pl.DataFrame, version: str
                   ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(documents still to extract, cached claims, cached comparisons) for this extractor version."""
    con.register("_wanted", documents.select("doc_id").to_arrow())
    try:
        done = read_table(con, "SELECT DISTINCT e.doc_id FROM extracted_documents e JOIN _wanted USING (doc_id) "
                               "WHERE e.extractor_version = ?", [version])
        claims = read_table(con, "SELECT c.* FROM cached_claims c JOIN _wanted USING (doc_id) "
                                 "WHERE c.extractor_version = ?", [version])
        comparisons = read_table(con, "SELECT c.* FROM cached_comparisons c JOIN _wanted USING (doc_id) "
                                      "WHERE c.extractor_version = ?", [version])
    finally:
        con.unregister("_wanted")
    missing = documents.join(done, on="doc_id", how="anti") if done.height else documents
    return missing, claims, comparisons


def store_extraction(con: duckdb.DuckDBPyConnection, extracted: pl.DataFrame, claims: pl.DataFrame,
                     comparisons: pl.DataFrame, version: str) -> None:
    """Remember the results for `extracted` documents (call inside the refresh's transaction)."""
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
    con.register("_extracted", counts.to_arrow())
    try:
        for table in ("extracted_documents", "cached_claims", "cached_comparisons"):
            con.execute(f"DELETE FROM {table} WHERE extractor_version = ? AND doc_id IN (SELECT doc_id FROM _extracted)",
                        [version])
        con.execute("INSERT INTO extracted_documents BY NAME SELECT * FROM _extracted")
    finally:
        con.unregister("_extracted")
    fresh = pl.col("doc_id").is_in(extracted["doc_id"].implode())
    insert_frame(con, "cached_claims", claims, keep=fresh)
    insert_frame(con, "cached_comparisons", comparisons, keep=fresh)
