"""Frames to validate: the tables to publish plus derived columns the suites check.

Derived columns are computed here, next to the rules that use them: the evidence check against the
warehouse's document text, integrity and recomputed counts, all in polars.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from transforms.digests import document_digests
from warehouse import release
from warehouse.release import Table, row_count, slices

if TYPE_CHECKING:     # pandas is needed only once frames are handed to GX (polars' to_pandas loads it)
    import pandas as pd


class DocumentTexts:
    """doc_id and text of the warehouse's documents: what evidence offsets point into.

    Loaded up front but for `skip` (documents none of whose rows should need a check); a text asked
    for later is then read from the warehouse on demand, so `con` must stay open while in use."""

    def __init__(self, con: duckdb.DuckDBPyConnection, skip: pl.DataFrame | None = None) -> None:
        self._con = con
        self._texts = self._read(skip, keep=False)

    def _read(self, doc_ids: pl.DataFrame | None, keep: bool) -> pl.DataFrame:
        if doc_ids is None or (not keep and doc_ids.is_empty()):
            return pl.from_arrow(self._con.execute("SELECT doc_id, text FROM documents").to_arrow_table())
        self._con.register("kvp_document_ids", doc_ids.select("doc_id").to_arrow())
        try:
            return pl.from_arrow(self._con.execute(
                f"SELECT doc_id, text FROM documents WHERE doc_id {'' if keep else 'NOT'} IN "
                "(SELECT doc_id FROM kvp_document_ids)").to_arrow_table())
        finally:
            self._con.unregister("kvp_document_ids")

    def of(self, doc_ids: pl.Series) -> pl.DataFrame:
        """The texts of these documents (those the warehouse holds)."""
        missing = doc_ids.unique().to_frame("doc_id").join(self._texts, on="doc_id", how="anti")
        if not missing.is_empty():
            self._texts = pl.concat([self._texts, self._read(missing, keep=True)])
        return self._texts


def _evidence_matches(part: pl.DataFrame, texts: pl.DataFrame) -> pl.DataFrame:
    """`evidence_matches_text`: evidence == text[char_start:char_end] (characters), per row.

    A row whose document is not published (`doc_known` false) passes here: it has no text to quote,
    and `doc_id.published_document` names it; one check per fault keeps the report readable.
    Checked in polars, slice by slice: the joined text is a view of the one copy in `texts`, and
    slicing it was measured 2-3x faster than DuckDB's substring over the same 4 million rows."""
    quote = pl.col("text").str.slice(pl.col("char_start"), pl.col("char_end") - pl.col("char_start"))
    return (part.join(texts, on="doc_id", how="left")
            .with_columns(pl.when(pl.col("doc_known")).then((quote == pl.col("evidence")).fill_null(False))
                          .otherwise(True).alias("evidence_matches_text"))
            .drop("text"))


def _with_document_facts(frame: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    facts = documents.select("doc_id", pl.col("n_chars").alias("doc_n_chars"), pl.lit(True).alias("doc_known"))
    return frame.join(facts, on="doc_id", how="left").with_columns(pl.col("doc_known").fill_null(False))


def recomputed_matrix_counts(claims: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Counts recomputed straight from claims, independently of transforms.summarise: documents are
    counted as distinct 64-bit hashes of doc_id (0.3 s instead of 0.75 over 4.4 million claims; two of
    a cell's documents colliding, under 1 in 10^9 at 100,000, would fail the check, never pass it)."""
    asserted = claims.lazy().filter(~pl.col("negated"))
    return asserted.group_by(["subject", "attribute", "value"]).agg(
        pl.len().cast(pl.Int64).alias("n_claims_recomputed"),
        pl.col("doc_id").hash().n_unique().cast(pl.Int64).alias("n_documents_recomputed"),
    ).collect(engine="streaming")


@dataclass
class SlicedTable:
    """A table validated in two parts (claims and comparisons).

    Checks over the whole table (keys unique, row counts, regression) see `whole`, the table (a lazy
    scan for the staged claims) narrowed to the columns they use, each through `batch_for` (the few
    rows its verdict depends on); row-by-row checks see each slice of `slices()` in turn, with the
    columns derived for them: memory stays bounded by the slice size. The rows of documents the latest
    version already validated as they are (see `ValidatedBefore`) are left out of the slices.
    """
    whole: Table
    slices: Callable[[], Iterator[pd.DataFrame]]
    settled: pl.DataFrame | None = None

    def batch_for(self, expectation: str, kwargs: dict) -> pd.DataFrame:
        return whole_table_batch(self.whole, expectation, kwargs, self.settled)


UNIQUENESS_EXPECTATIONS = ("ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique")


def whole_table_batch(whole: Table, expectation: str, kwargs: dict, settled: pl.DataFrame | None = None
                      ) -> pd.DataFrame:
    """The pandas batch on which GX's verdict and unexpected count for one whole-table expectation are
    what they would be on all of `whole`, reduced in polars first: keys unique -> only the rows whose
    key occurs twice or more (every row GX could count, with the rows it repeats); distinct values ->
    the distinct values; row counts -> a one-byte column of as many rows; a mean -> one row holding it.

    On a 100,000-document release GX hashed millions of key tuples in pandas for a verdict almost
    always reached on an empty frame. Keys are found repeated by a 64-bit hash of each row's key first,
    in one streaming pass, and only rows whose hash repeats are read whole: holding the key columns of
    4.4 million claims at once raised the gate's peak by 0.75 GB. (GX's element counts and percentages
    in its own result then describe the reduced batch; the gate reads only verdicts and unexpected
    counts.)"""
    import numpy as np
    import pandas as pd

    rows = whole.lazy()
    if expectation in UNIQUENESS_EXPECTATIONS:
        columns = [kwargs["column"]] if "column" in kwargs else list(kwargs["column_list"])
        # (a key of several columns without doc_id, which no suite has, is checked over the whole table)
        narrowable = "doc_id" in columns or len(columns) == 1
        if settled is not None and narrowable and "doc_id" in rows.collect_schema().names():
            return _repeated_keys_since(rows, columns, settled).to_pandas()
        key_hash = pl.struct(columns).hash()
        hashes = rows.select(key_hash.alias("_key")).collect(engine="streaming").to_series()
        repeated = hashes.filter(hashes.is_duplicated()).unique()
        if repeated.is_empty():         # the usual verdict: no second pass over the table
            return rows.select(columns).head(0).collect().to_pandas()
        candidates = rows.filter(key_hash.is_in(repeated.implode())).select(columns).collect()
        return candidates.filter(pl.struct(columns).is_duplicated()).to_pandas()
    if expectation in ("ExpectTableRowCountToBeBetween", "ExpectTableRowCountToEqual"):
        return pd.DataFrame({"row": np.zeros(row_count(whole), dtype=np.int8)})
    if expectation == "ExpectColumnDistinctValuesToContainSet":
        return rows.select(pl.col(kwargs["column"]).unique()).collect(engine="streaming").to_pandas()
    if expectation == "ExpectColumnMeanToBeBetween":
        return _column_mean(rows, kwargs["column"]).to_pandas()
    return rows.select(kwargs["column"]).collect(engine="streaming").to_pandas()


def _column_mean(rows: pl.LazyFrame, column: str) -> pl.DataFrame:
    """The column's mean as a column of one row, whose mean it is (no rows: the empty column). GX's
    pandas mean first tests every value for `decimal.Decimal` in a Python loop: over the 4.4 million
    claims of a 100,000-document release, its two mean checks took 3-6 s of the gate."""
    summary = rows.select(pl.col(column).mean().alias("_mean"), pl.len().alias("_rows")).collect(engine="streaming")
    if summary["_rows"].item() == 0:
        return rows.select(column).head(0).collect()
    return summary.select(pl.col("_mean").cast(pl.Float64).alias(column))


def _repeated_keys_since(rows: pl.LazyFrame, columns: list[str], settled: pl.DataFrame) -> pl.DataFrame:
    """The rows whose key repeats, given that the rows of the `settled` documents are those a version
    found unique (see `ValidatedBefore`): a repeat then involves a row of another document. A key with
    doc_id in it repeats within one document, so only the other documents' rows are read; a single-column
    key is looked up across the whole table for the values those rows hold."""
    fresh = rows.filter(~pl.col("doc_id").is_in(settled["doc_id"].implode()))
    if "doc_id" in columns:
        candidates = fresh.select(columns).collect(engine="streaming")
    else:
        keys = fresh.select(columns).collect(engine="streaming").to_series()
        candidates = rows.filter(pl.col(columns[0]).is_in(keys.implode())).select(columns).collect(engine="streaming")
    return candidates.filter(pl.struct(columns).is_duplicated())


@dataclass(frozen=True)
class ValidatedBefore:
    """What the latest published version validated with the same row checks: its documents (doc_id,
    n_chars: the text, as doc_id is its hash) and, per table, each document's digest over its rows
    (`transforms.digests`).

    A document whose text and rows are what they were then would pass every row check again: a row's
    checks depend only on the row, its document's n_chars and its document's text. Their keys were
    also unique among themselves then, which the uniqueness checks rely on (`_repeated_keys_since`):
    those checks are part of the gate's `row_checks_fingerprint` for that reason."""
    version: str
    documents: pl.DataFrame
    digests: dict[str, pl.DataFrame]


def _settled_documents(table: Table, before: ValidatedBefore | None, same_text: pl.DataFrame | None,
                       name: str, digests: pl.DataFrame | None) -> pl.DataFrame | None:
    """The documents whose text and rows of `name` equal those `before` validated (doc_id), or None.
    `digests`: the table's per-document digests when the caller has them (else computed from its rows)."""
    if before is None or same_text is None or name not in before.digests:
        return None
    current = document_digests(table) if digests is None else digests
    unchanged = release.unchanged_documents(before.digests, {name: current})[name]
    return unchanged.join(same_text, on="doc_id", how="semi")


def _unsettled_slices(table: Table, settled: pl.DataFrame | None) -> Iterator[pl.DataFrame]:
    """The rows of the documents not `settled`, slice by slice (at least one slice, possibly empty).

    Of a lazy scan (the staged claims), the doc_id column is read first, and only the slices holding
    unsettled rows are read whole: after a refresh that changed 1% of 100,000 documents, reading every
    slice to keep 1% of its rows took 0.9 s of the gate."""
    if settled is None:
        yield from slices(table)
        return
    unsettled = ~pl.col("doc_id").is_in(settled["doc_id"].implode())
    if isinstance(table, pl.DataFrame):
        yield table.filter(unsettled)
        return
    rows = release.ROWS_PER_SLICE
    positions = (table.select("doc_id").with_row_index("_position").filter(unsettled)
                 .select((pl.col("_position") // rows).unique().sort()).collect(engine="streaming").to_series())
    if positions.is_empty():
        yield table.head(0).collect()
    for number in positions:
        yield table.slice(number * rows, rows).collect().filter(unsettled)


def _rebatched(parts: Iterator[pl.DataFrame], rows: int) -> Iterator[pl.DataFrame]:
    """The parts' rows in batches of at least `rows` but the last; one (possibly empty) batch at
    least when there is one part: a validator run costs about the same for 10 rows as for 10,000."""
    pending: list[pl.DataFrame] = []
    emitted = False
    for part in parts:
        pending.append(part)
        if sum(p.height for p in pending) >= rows:
            yield pl.concat(pending)
            pending, emitted = [], True
    if pending and (not emitted or any(p.height for p in pending)):
        yield pl.concat(pending)


def _row_frame(name: str, part: pl.DataFrame, documents: pl.DataFrame, texts: DocumentTexts | None) -> pl.DataFrame:
    """One table's rows with the columns the row checks use; evidence strings become flags."""
    frame = _with_document_facts(part, documents)
    if name == "claims":
        frame = frame.with_columns(pl.concat_str("attribute", pl.lit(":"), "value").alias("attribute_value"))
    if texts is not None:
        frame = _evidence_matches(frame, texts.of(part["doc_id"]))
    # the quotes themselves are checked above; pandas gets flags, not the strings
    return frame.with_columns(
        (pl.col("evidence").str.len_chars().fill_null(0) > 0).alias("has_evidence")).drop("evidence")


def validation_frames(tables: dict[str, Table], con: duckdb.DuckDBPyConnection | None,
                      whole_columns: dict[str, list[str]] | None = None,
                      before: ValidatedBefore | None = None, digests: dict[str, pl.DataFrame] | None = None
                      ) -> dict[str, pd.DataFrame | SlicedTable]:
    """Pandas batches for GX (it has no polars source); `con` None skips the text check, and must
    otherwise stay open while the slices are read.

    Claims and comparisons become `SlicedTable`s; `whole_columns` names, per table, the columns its
    whole-table checks use. With `before`, their row checks see only the rows of documents whose text
    or rows changed since it validated them (`digests`: the tables' per-document digests, if known)."""
    whole_columns = whole_columns or {}
    documents = tables["documents"]
    frames: dict[str, pl.DataFrame] = {"documents": documents}
    sliced: dict[str, SlicedTable] = {}
    same_text = None if before is None else documents.select("doc_id", "n_chars").join(
        before.documents, on=["doc_id", "n_chars"], how="semi").select("doc_id")
    texts = DocumentTexts(con, skip=same_text) if con is not None else None
    for name, id_column in (("claims", "claim_id"), ("comparisons", "comparison_id")):
        table = tables[name]
        settled = _settled_documents(table, before, same_text, name, (digests or {}).get(name))

        def row_slices(name=name, table=table, settled=settled) -> Iterator[pd.DataFrame]:
            for batch in _rebatched(_unsettled_slices(table, settled), release.ROWS_PER_SLICE):
                yield _row_frame(name, batch, documents, texts).to_pandas()

        sliced[name] = SlicedTable(
            whole=table.lazy().select(whole_columns.get(name) or [id_column]),
            slices=row_slices, settled=settled)
    frames["comparison_matrix"] = (
        tables["comparison_matrix"]
        .join(recomputed_matrix_counts(tables["claims"]), on=["subject", "attribute", "value"], how="left")
        .with_columns(pl.col("n_claims_recomputed", "n_documents_recomputed").fill_null(0))
    )
    frames["therapies"] = tables["therapies"]
    frames["attributes"] = tables["attributes"].drop("allowed_values")
    return {**{name: frame.to_pandas() for name, frame in frames.items()}, **sliced}
