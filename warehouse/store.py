"""The DuckDB warehouse: schema, the one-transaction load of a refresh, run records, reads."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterator

import duckdb
import polars as pl

SCHEMA_PATH = Path(__file__).parent / "schema.sql"
REPLACED_TABLES = ("documents", "claims", "comparisons")


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (creating its schema when writable) and close it afterwards."""
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        if not read_only:
            con.execute(SCHEMA_PATH.read_text())
        yield con
    finally:
        con.close()


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    arrow = frame.to_arrow()
    con.register("_incoming", arrow)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _incoming")
    finally:
        con.unregister("_incoming")


def start_run(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    con.execute("INSERT INTO runs (run_id, started_at, outcome) VALUES (?, ?, 'running')",
                [run_id, datetime.now(UTC)])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, outcome: str, version: str | None = None,
               message: str | None = None) -> None:
    con.execute("UPDATE runs SET finished_at = ?, outcome = ?, version = ?, message = ? WHERE run_id = ?",
                [datetime.now(UTC), outcome, version, message, run_id])


def load_refresh(con: duckdb.DuckDBPyConnection, run_id: str, documents: pl.DataFrame, claims: pl.DataFrame,
                 comparisons: pl.DataFrame, quarantine: pl.DataFrame, furniture: pl.DataFrame,
                 extracted: pl.DataFrame | None = None, extractor_version: str | None = None) -> None:
    """Replace the current corpus with this refresh's, in one transaction (all or nothing).

    `extracted` names the documents this refresh extracted afresh; their results go to the cache.
    """
    from warehouse.cache import store_extraction

    con.execute("BEGIN TRANSACTION")
    try:
        if extracted is not None and extractor_version:
            store_extraction(con, extracted, claims, comparisons, extractor_version)
        for table, frame in (("documents", documents), ("claims", claims), ("comparisons", comparisons)):
            con.execute(f"DELETE FROM {table}")
            _insert(con, table, frame)
        _insert(con, "quarantine", quarantine.with_columns(pl.lit(run_id).alias("run_id")))
        _insert(con, "furniture", furniture.with_columns(pl.lit(run_id).alias("run_id"),
                                                         pl.col("lines_dropped").cast(pl.Int64)))
        con.execute(
            "UPDATE runs SET n_documents = ?, n_quarantined = ?, n_claims = ?, n_comparisons = ? WHERE run_id = ?",
            [documents.height, quarantine.height, claims.height, comparisons.height, run_id],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def read_table(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """A query's result as a polars frame, through Arrow."""
    return con.execute(sql, params or []).pl()


def quarantined(con: duckdb.DuckDBPyConnection, latest_only: bool = True) -> pl.DataFrame:
    """Quarantined inputs of the latest run that loaded data (or of every run), newest first."""
    where = ("WHERE q.run_id = (SELECT run_id FROM runs WHERE n_documents IS NOT NULL "
             "ORDER BY started_at DESC LIMIT 1)") if latest_only else ""
    return read_table(con, "SELECT q.run_id, q.source, q.reason, q.detail, q.doc_id, q.quarantined_at "
                           f"FROM quarantine q {where} ORDER BY q.quarantined_at DESC, q.source")
