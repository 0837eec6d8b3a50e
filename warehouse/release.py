"""The tables a version publishes, read from the warehouse, and their fingerprints."""

from __future__ import annotations

import hashlib
import io

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


def release_tables(con: duckdb.DuckDBPyConnection, ontology: Ontology) -> dict[str, pl.DataFrame]:
    """The six published tables, as the warehouse holds them now (document text excluded)."""
    documents = read_table(con, "SELECT doc_id, source, title, content_type, url, published, n_chars, retrieved_at "
                                "FROM documents ORDER BY doc_id")
    claims = read_table(con, "SELECT * EXCLUDE (n_mentions) FROM claims ORDER BY claim_id")
    comparisons = read_table(con, "SELECT * EXCLUDE (n_mentions) FROM comparisons ORDER BY comparison_id")
    return {
        "documents": documents,
        "claims": claims,
        "comparisons": comparisons,
        "comparison_matrix": comparison_matrix(claims),
        "therapies": therapies_table(ontology),
        "attributes": attributes_table(ontology),
    }


def canonical(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with volatile columns dropped and rows in key order: what a fingerprint sees."""
    stable = frame.drop([c for c in VOLATILE_COLUMNS.get(name, []) if c in frame.columns])
    return stable.sort(TABLE_KEYS[name])


def table_fingerprint(name: str, frame: pl.DataFrame) -> str:
    """sha256 of the canonical rows (NDJSON text: independent of row order and Parquet encoding)."""
    buffer = io.BytesIO()
    canonical(name, frame).write_ndjson(buffer)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def data_fingerprint(tables: dict[str, pl.DataFrame]) -> str:
    digest = hashlib.sha256()
    for name in PUBLISHED_TABLES:
        digest.update(name.encode() + b"\0" + table_fingerprint(name, tables[name]).encode())
    return digest.hexdigest()


def schema_of(tables: dict[str, pl.DataFrame]) -> dict[str, dict[str, str]]:
    return {name: {col: str(dtype) for col, dtype in tables[name].schema.items()} for name in PUBLISHED_TABLES}


def schema_fingerprint(tables: dict[str, pl.DataFrame]) -> str:
    text = repr(sorted((name, sorted(cols.items())) for name, cols in schema_of(tables).items()))
    return hashlib.sha256(text.encode()).hexdigest()
