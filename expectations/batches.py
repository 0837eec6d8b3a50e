"""Frames to validate: the tables to publish plus derived columns the suites check.

Derived columns are computed here, next to the rules that use them: the evidence check runs in
DuckDB, where the document text lives; integrity and recomputed counts run in polars.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import duckdb
import pandas as pd
import polars as pl

from warehouse.release import Table, slices

EVIDENCE_SQL = """
SELECT t.{id} AS {id},
       coalesce(substring(d.text, t.char_start + 1, t.char_end - t.char_start) = t.evidence, false)
           AS evidence_matches_text
FROM _rows t LEFT JOIN documents d USING (doc_id)
"""


def evidence_matches(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, id_column: str) -> pl.DataFrame:
    """id -> whether evidence equals the warehouse text[char_start:char_end] (characters)."""
    con.register("_rows", frame.select(id_column, "doc_id", "char_start", "char_end", "evidence").to_arrow())
    try:
        return con.execute(EVIDENCE_SQL.format(id=id_column)).pl()
    finally:
        con.unregister("_rows")


def _with_document_facts(frame: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    facts = documents.select("doc_id", pl.col("n_chars").alias("doc_n_chars"), pl.lit(True).alias("doc_known"))
    return frame.join(facts, on="doc_id", how="left").with_columns(pl.col("doc_known").fill_null(False))


def recomputed_matrix_counts(claims: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Counts recomputed straight from claims, independently of transforms.summarise."""
    asserted = claims.lazy().filter(~pl.col("negated"))
    return asserted.group_by(["subject", "attribute", "value"]).agg(
        pl.len().cast(pl.Int64).alias("n_claims_recomputed"),
        pl.col("doc_id").n_unique().cast(pl.Int64).alias("n_documents_recomputed"),
    ).collect(engine="streaming")


@dataclass
class SlicedTable:
    """A table too large for one pandas batch (a staged release's claims).

    Checks over the whole table (keys unique, row counts, regression) see `whole`, which holds only
    the columns they use; row-by-row checks see each slice of `slices()` in turn, with the columns
    derived for them. Memory stays bounded by the slice size.
    """
    whole: pd.DataFrame
    slices: Callable[[], Iterator[pd.DataFrame]]


def _row_frame(name: str, id_column: str, part: pl.DataFrame, documents: pl.DataFrame,
               con: duckdb.DuckDBPyConnection | None) -> pl.DataFrame:
    """One table's rows with the columns the row checks use; evidence strings become a flag."""
    frame = _with_document_facts(part, documents)
    if name == "claims":
        frame = frame.with_columns(pl.concat_str("attribute", pl.lit(":"), "value").alias("attribute_value"))
    if con is not None:
        frame = frame.join(evidence_matches(con, part, id_column), on=id_column, how="left")
    # the quotes themselves are checked above and in DuckDB; pandas gets a flag, not the strings
    return frame.with_columns(
        (pl.col("evidence").str.len_chars().fill_null(0) > 0).alias("has_evidence")).drop("evidence")


def validation_frames(tables: dict[str, Table], con: duckdb.DuckDBPyConnection | None,
                      whole_columns: dict[str, list[str]] | None = None) -> dict[str, pd.DataFrame | SlicedTable]:
    """Pandas batches for GX (it has no polars source); `con` None skips the text check.

    A lazy (staged) table becomes a `SlicedTable`; `whole_columns` names, per table, the columns its
    whole-table checks use."""
    whole_columns = whole_columns or {}
    documents = tables["documents"]
    frames: dict[str, pl.DataFrame] = {"documents": documents}
    sliced: dict[str, SlicedTable] = {}
    for name, id_column in (("claims", "claim_id"), ("comparisons", "comparison_id")):
        table = tables[name]
        if isinstance(table, pl.LazyFrame):
            sliced[name] = SlicedTable(
                whole=table.select(whole_columns.get(name) or [id_column]).collect(engine="streaming").to_pandas(),
                slices=lambda name=name, id_column=id_column, table=table: (
                    _row_frame(name, id_column, part, documents, con).to_pandas() for part in slices(table)),
            )
        else:
            frames[name] = _row_frame(name, id_column, table, documents, con)
    frames["comparison_matrix"] = (
        tables["comparison_matrix"]
        .join(recomputed_matrix_counts(tables["claims"]), on=["subject", "attribute", "value"], how="left")
        .with_columns(pl.col("n_claims_recomputed", "n_documents_recomputed").fill_null(0))
    )
    frames["therapies"] = tables["therapies"]
    frames["attributes"] = tables["attributes"].drop("allowed_values")
    return {**{name: frame.to_pandas() for name, frame in frames.items()}, **sliced}
