"""The DuckDB warehouse: schema, the one-transaction load of a refresh, run records, reads."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterator

import duckdb
import polars as pl

SCHEMA_PATH = Path(__file__).parent / "schema.sql"
# DuckDB's default is 80% of the machine; a refresh shares the process with polars and GX, so the
# warehouse spills to disk (beside the database file) past this instead of growing the process.
MEMORY_LIMIT = "2GB"
# the load copies new documents' text within the warehouse (measured when it copied the cached claims too): at 1 GB it took the
# same time as at 2 GB (100,000 documents, about 10 s) and peaked at 1.5 GB instead of 2.5
LOAD_MEMORY_LIMIT = "1GB"
# the run whose documents and quarantine are in the warehouse now (a run that loaded or inherited them)
LATEST_LOADED_RUN = "SELECT run_id FROM runs WHERE n_documents IS NOT NULL ORDER BY started_at DESC LIMIT 1"


@contextmanager
def connect(path: Path, read_only: bool = False, memory_limit: str = MEMORY_LIMIT) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (creating its schema when writable) and close it afterwards."""
    con = duckdb.connect(str(path), read_only=read_only, config={"memory_limit": memory_limit})
    try:
        if not read_only:
            _drop_tables_now_views(con)
            con.execute(SCHEMA_PATH.read_text())
        yield con
    finally:
        con.close()


# tables of warehouses from before they became views over the extraction cache (see schema.sql): their
# rows were copies of cached rows, so nothing is lost
_NOW_VIEWS = ("claims", "comparisons")


def _drop_tables_now_views(con: duckdb.DuckDBPyConnection) -> None:
    names = ", ".join(f"'{name}'" for name in _NOW_VIEWS)
    for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                               f"AND table_name IN ({names})").fetchall():
        con.execute(f"DROP TABLE {name}")


@contextmanager
def checkpoints_deferred(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Commit a run of bulk stores to the write-ahead log only, and checkpoint once when it ends.

    At the default threshold (16 MiB) nearly every commit of a batch of texts checkpointed, and the
    checkpoints cost more as the table grew: 50 batches of 2,000 texts took 19.2 s to store, 14.9 s of
    it in COMMIT, against 6.4 s with the checkpoint deferred (peak memory 2.2 -> 1.7 GB). The committed
    rows are durable either way: the log is replayed on the next opening. Rows not yet checkpointed stay
    in DuckDB's memory: fit for a refresh's texts (about 500 MB at 100,000 documents), not for its claims
    (deferred there, the extraction's peak went 2.6 -> 4.0 GB for no time saved)."""
    con.execute("SET checkpoint_threshold = '1TB'")
    try:
        yield
    finally:
        con.execute("RESET checkpoint_threshold")
    con.execute("CHECKPOINT")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All statements inside commit together, or none does."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame,
                 keep: pl.Expr | None = None) -> None:
    """Insert through Arrow in one statement (slicing was measured slower and no smaller at 4 million
    rows: DuckDB's own buffer, capped by MEMORY_LIMIT, dominates). `keep` filters the rows first."""
    con.register("_incoming", (frame if keep is None else frame.filter(keep)).to_arrow())
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _incoming")
    finally:
        con.unregister("_incoming")


def start_run(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    con.execute("INSERT INTO runs (run_id, started_at, outcome) VALUES (?, ?, 'running')",
                [run_id, datetime.now(UTC)])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, outcome: str, version: str | None = None,
               message: str | None = None, input_fingerprint: str | None = None) -> None:
    con.execute("UPDATE runs SET finished_at = ?, outcome = ?, version = ?, message = ?, input_fingerprint = ? "
                "WHERE run_id = ?", [datetime.now(UTC), outcome, version, message, input_fingerprint, run_id])


def inherit_unchanged_run(con: duckdb.DuckDBPyConnection, run_id: str, fingerprint: str, latest: str | None
                          ) -> dict | None:
    """The last finished run when it read exactly these inputs, published or confirmed a version, and
    that version is still `latest`; this run then inherits its counts and quarantine. Otherwise None:
    the inputs must be read (a blocked, failed or rolled-back state is never skipped)."""
    last = last_finished_run(con)
    if (last and last["input_fingerprint"] == fingerprint and last["outcome"] in ("published", "unchanged")
            and last["version"] == latest):
        carry_forward(con, last["run_id"], run_id)
        return last
    return None


def carry_forward(con: duckdb.DuckDBPyConnection, previous_run_id: str, run_id: str) -> None:
    """A run that read the same inputs as `previous_run_id` inherits its counts and quarantine rows."""
    with transaction(con):
        con.execute("UPDATE runs SET n_documents = p.n_documents, n_quarantined = p.n_quarantined, "
                    "n_claims = p.n_claims, n_comparisons = p.n_comparisons FROM runs p "
                    "WHERE p.run_id = ? AND runs.run_id = ?", [previous_run_id, run_id])
        con.execute("INSERT INTO quarantine BY NAME SELECT * REPLACE (? AS run_id) FROM quarantine WHERE run_id = ?",
                    [run_id, previous_run_id])


def last_finished_run(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The most recent run that finished (whatever its outcome), as a dict."""
    rows = read_table(con, "SELECT * FROM runs WHERE outcome <> 'running' ORDER BY started_at DESC LIMIT 1")
    return rows.to_dicts()[0] if rows.height else None


def load_refresh(con: duckdb.DuckDBPyConnection, run_id: str, documents: pl.DataFrame, quarantine: pl.DataFrame,
                 furniture: pl.DataFrame, extractor_version: str) -> tuple[int, int]:
    """Replace the current corpus with this refresh's, in one transaction (all or nothing).

    A document's text may be null in `documents` when it was read on an earlier run: it is then
    already loaded, or copied from the read cache (see `_load_documents`).

    Claims and comparisons are this extractor's cached results for the documents (see
    `warehouse.cache`): the `claims` and `comparisons` views select them by the documents loaded and
    the extractor version recorded here, so nothing is copied. Returns (n_claims, n_comparisons).
    """
    with transaction(con):
        _load_documents(con, documents)
        con.execute("DELETE FROM current_extraction")
        con.execute("INSERT INTO current_extraction VALUES (?)", [extractor_version])
        insert_frame(con, "quarantine", quarantine.with_columns(pl.lit(run_id).alias("run_id")))
        insert_frame(con, "furniture", furniture.with_columns(pl.lit(run_id).alias("run_id"),
                                                              pl.col("lines_dropped").cast(pl.Int64)))
        n_claims, n_comparisons = con.execute("SELECT (SELECT count(*) FROM claims), "
                                              "(SELECT count(*) FROM comparisons)").fetchone()
        con.execute(
            "UPDATE runs SET n_documents = ?, n_quarantined = ?, n_claims = ?, n_comparisons = ? WHERE run_id = ?",
            [documents.height, quarantine.height, n_claims, n_comparisons, run_id],
        )
    return n_claims, n_comparisons


def cached_texts(wanted: str) -> str:
    """SQL for (doc_id, text) of the read cache's documents named by `wanted` (a relation with a doc_id
    column): any file's copy will do, as doc_id is the text's hash."""
    return (f"SELECT doc_id, any_value(text) AS text FROM read_documents SEMI JOIN {wanted} USING (doc_id) "
            "GROUP BY doc_id")


def _load_documents(con: duckdb.DuckDBPyConnection, documents: pl.DataFrame) -> None:
    """Make the documents table hold exactly `documents` (one row per doc_id), writing only what
    differs: rows whose doc_id is gone are deleted, rows whose description changed (a file read again
    has a new `retrieved_at`) are updated in place, rows whose doc_id is new are inserted with their
    text (from the frame, else from the read cache). A kept row keeps its text: doc_id is its hash.

    The text never enters a join: DuckDB cannot tell how many rows a registered frame holds and made
    it the build side of hash joins, text and all. When every file of 100,000 had been read again (a
    new reader version), that, and deleting every row to insert it again, went past the load's memory
    limit (DuckDB: out of memory); the texts to look up in the read cache are those of new rows only."""
    described = [c for c in documents.columns if c not in ("doc_id", "text")]
    same = " AND ".join(f"i.{c} IS NOT DISTINCT FROM d.{c}" for c in described)
    con.register("_incoming", documents.drop("text").to_arrow())
    try:
        con.execute("DELETE FROM documents d WHERE d.doc_id NOT IN (SELECT doc_id FROM _incoming)")
        con.execute(f"UPDATE documents d SET {', '.join(f'{c} = i.{c}' for c in described)} FROM _incoming i "
                    f"WHERE i.doc_id = d.doc_id AND NOT ({same})")
    finally:
        con.unregister("_incoming")
    fresh = documents.join(read_table(con, "SELECT doc_id FROM documents"), on="doc_id", how="anti")
    insert_frame(con, "documents", fresh, keep=pl.col("text").is_not_null())
    text_less = fresh.filter(pl.col("text").is_null()).drop("text")
    if text_less.is_empty():
        return
    con.register("_text_less", text_less.to_arrow())
    try:            # a text found nowhere stays null, and the table's NOT NULL refuses the load
        con.execute("INSERT INTO documents BY NAME SELECT t.*, r.text FROM _text_less t "
                    f"LEFT JOIN ({cached_texts('_text_less')}) r USING (doc_id)")
    finally:
        con.unregister("_text_less")


def read_table(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """A query's result as a polars frame, through Arrow."""
    return con.execute(sql, params or []).pl()


def quarantined(con: duckdb.DuckDBPyConnection, latest_only: bool = True) -> pl.DataFrame:
    """Quarantined inputs of the latest run that loaded data (or of every run), newest first."""
    where = f"WHERE q.run_id = ({LATEST_LOADED_RUN})" if latest_only else ""
    return read_table(con, "SELECT q.run_id, q.source, q.reason, q.detail, q.doc_id, q.quarantined_at "
                           f"FROM quarantine q {where} ORDER BY q.quarantined_at DESC, q.source")
