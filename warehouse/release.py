"""The tables a version publishes, read from the warehouse, and their fingerprints."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from transforms.ontology import Ontology
from transforms.summarise import attributes_table, comparison_matrix, therapies_table
from warehouse.store import read_table

PUBLISHED_TABLES = ("documents", "claims", "comparisons", "comparison_matrix", "therapies", "attributes")
TABLE_KEYS = {
    "documents": ["doc_id"],
    "claims": ["claim_id"],
    "comparisons": ["comparison_id"],
    "comparison_matrix": ["subject", "attribute", "value"],
    "therapies": ["therapy_id"],
    "attributes": ["attribute_id"],
}
# run-time stamps: a refresh that differs only in these has not changed the data
VOLATILE_COLUMNS = {"documents": ["retrieved_at"]}


# the one table that grows with every sentence: a release keeps it on disk and reads it in slices
STAGED_TABLE = "claims"
ROWS_PER_SLICE = 250_000

Table = pl.DataFrame | pl.LazyFrame


def release_tables(con: duckdb.DuckDBPyConnection, ontology: Ontology, staging: Path) -> dict[str, Table]:
    """The six published tables, as the warehouse holds them now (document text excluded).

    Claims are written by DuckDB to `staging/claims.parquet` in claim_id order and returned as a lazy
    scan: a release never holds them in memory; everything downstream reads them in slices.
    """
    staging.mkdir(parents=True, exist_ok=True)
    staged = staging / f"{STAGED_TABLE}.parquet"
    quoted = str(staged).replace("'", "''")
    con.execute(f"COPY (SELECT * EXCLUDE (n_mentions) FROM {STAGED_TABLE} ORDER BY claim_id) TO '{quoted}' "
                f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROWS_PER_SLICE})")
    documents = read_table(con, "SELECT doc_id, source, title, content_type, url, published, n_chars, retrieved_at "
                                "FROM documents ORDER BY doc_id")
    claims = pl.scan_parquet(staged)
    comparisons = read_table(con, "SELECT * EXCLUDE (n_mentions) FROM comparisons ORDER BY comparison_id")
    return {
        "documents": documents,
        "claims": claims,
        "comparisons": comparisons,
        "comparison_matrix": comparison_matrix(claims),
        "therapies": therapies_table(ontology),
        "attributes": attributes_table(ontology),
    }


def row_count(frame: Table) -> int:
    return frame.height if isinstance(frame, pl.DataFrame) else frame.select(pl.len()).collect().item()


def schema_of_table(frame: Table) -> pl.Schema:
    return frame.schema if isinstance(frame, pl.DataFrame) else frame.collect_schema()


def slices(frame: Table, rows: int | None = None) -> Iterator[pl.DataFrame]:
    """The rows in consecutive slices (at least one, possibly empty): bounded memory for a lazy scan."""
    if isinstance(frame, pl.DataFrame):
        yield frame
        return
    rows = rows or ROWS_PER_SLICE
    offset = 0
    while True:
        part = frame.slice(offset, rows).collect()
        if part.height or offset == 0:
            yield part
        if part.height < rows:
            return
        offset += rows


def canonical(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with volatile columns dropped and rows in key order: what a fingerprint sees."""
    stable = frame.drop([c for c in VOLATILE_COLUMNS.get(name, []) if c in frame.columns])
    return stable.sort(TABLE_KEYS[name])


def table_fingerprint(name: str, frame: Table) -> str:
    """sha256 of the canonical rows (NDJSON text: independent of row order and Parquet encoding).

    A lazy table is read slice by slice when its rows come in key order (a staged table does), and
    sorted whole only when they do not."""
    digest = hashlib.sha256()
    key, volatile = TABLE_KEYS[name], VOLATILE_COLUMNS.get(name, [])
    last = None
    for part in slices(frame):
        ordered = canonical(name, part)
        in_order = ordered.equals(part.drop([c for c in volatile if c in part.columns])) and (
            last is None or part.is_empty() or part.select(key).row(0) > last)
        if not in_order:
            whole = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
            return hashlib.sha256(_ndjson(canonical(name, whole))).hexdigest()
        if part.height:
            last = part.select(key).row(-1)
        digest.update(_ndjson(ordered))
    return digest.hexdigest()


def _ndjson(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ndjson(buffer)
    return buffer.getvalue()


def data_fingerprint(tables: dict[str, pl.DataFrame]) -> str:
    digest = hashlib.sha256()
    for name in PUBLISHED_TABLES:
        digest.update(name.encode() + b"\0" + table_fingerprint(name, tables[name]).encode())
    return digest.hexdigest()


def schema_of(tables: dict[str, Table]) -> dict[str, dict[str, str]]:
    return {name: {col: str(dtype) for col, dtype in schema_of_table(tables[name]).items()}
            for name in PUBLISHED_TABLES}


def schema_fingerprint(tables: dict[str, pl.DataFrame]) -> str:
    text = repr(sorted((name, sorted(cols.items())) for name, cols in schema_of(tables).items()))
    return hashlib.sha256(text.encode()).hexdigest()
