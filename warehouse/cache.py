"""The extraction cache: per-document results kept by (doc_id, extractor_version).

A refresh asks which of its documents this extractor has not seen yet, extracts only those, and
stores each batch's results here as soon as the batch is done: extraction results are never
gathered in Python as a whole. The published claims are then copied from here inside DuckDB (see
`warehouse.store.load_refresh`). A stored batch stays valid whether or not its run publishes, so a
run that fails later keeps its extraction work.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl

from warehouse.store import insert_frame, read_table, transaction


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
            for table in ("extracted_documents", "cached_claims", "cached_comparisons"):
                con.execute(f"DELETE FROM {table} WHERE extractor_version = ? "
                            "AND doc_id IN (SELECT doc_id FROM _extracted)", [version])
            con.execute("INSERT INTO extracted_documents BY NAME SELECT * FROM _extracted")
        finally:
            con.unregister("_extracted")
        insert_frame(con, "cached_claims", claims, keep=fresh)
        insert_frame(con, "cached_comparisons", comparisons, keep=fresh)
