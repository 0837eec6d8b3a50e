"""The read cache: what reading and cleaning made of each file, kept by (path, size, mtime, reader version).

A refresh reads again only files that are new or changed since they were last read (or read by other
code); the others' candidate documents, quarantine rows and furniture counts come from here, through
Arrow, without their text: identity across the corpus (duplicates, near-duplicates) is settled over
every document on each run, from doc_id and paragraph hashes, and the text of a document read before
is read from here only when it is extracted or loaded anew (`with_texts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import polars as pl

from transforms.clean import CANDIDATE_COLUMNS
from transforms.ingest import QUARANTINE_SCHEMA, with_file_paths
from warehouse.store import cached_texts, insert_frame, read_table, transaction

_FILE_KEY = ["path", "size", "mtime_ns"]
_WITHOUT_TEXT = ", ".join("NULL::VARCHAR AS text" if c == "text" else c for c in CANDIDATE_COLUMNS)


@dataclass(frozen=True)
class CachedReads:
    to_read: pl.DataFrame        # files (FILE_SCHEMA) not read before with this reader version
    candidates: pl.DataFrame     # candidate documents of the other files (text null: it stays here)
    refused: pl.DataFrame        # their quarantine rows
    furniture: pl.DataFrame      # their furniture lines dropped (source, origin, rule, lines_dropped)


def cached_reads(con: duckdb.DuckDBPyConnection, files: pl.DataFrame, version: str, reuse: bool = True
                 ) -> CachedReads:
    """Split `files` into those to read and what earlier reads made of the rest (with `reuse` off,
    every file is to be read)."""
    con.register("_files", files.select(_FILE_KEY).to_arrow())
    try:
        known = read_table(con, "SELECT f.path FROM read_files r JOIN _files f USING (path, size, mtime_ns) "
                                "WHERE r.reader_version = ? AND ?", [version, reuse])
        if known.is_empty():
            return CachedReads(files, _as_read(pl.DataFrame(schema=_document_schema(con))),
                               pl.DataFrame(schema=QUARANTINE_SCHEMA),
                               pl.DataFrame(schema={"source": pl.String, "origin": pl.String, "rule": pl.String,
                                                    "lines_dropped": pl.Int64}))
        con.register("_known", known.to_arrow())
        try:
            candidates = read_table(con, f"SELECT {_WITHOUT_TEXT} FROM read_documents "
                                         "SEMI JOIN _known USING (path) ORDER BY source")
            refused = read_table(con, f"SELECT {', '.join(QUARANTINE_SCHEMA)} FROM read_refusals "
                                      "SEMI JOIN _known USING (path)")
            furniture = read_table(con, "SELECT source, origin, rule, lines_dropped FROM read_furniture "
                                        "SEMI JOIN _known USING (path)")
        finally:
            con.unregister("_known")
    finally:
        con.unregister("_files")
    return CachedReads(files.join(known, on="path", how="anti"), _as_read(candidates),
                       refused.cast(QUARANTINE_SCHEMA), furniture)


def store_reads(con: duckdb.DuckDBPyConnection, files: pl.DataFrame, candidates: pl.DataFrame,
                refused: pl.DataFrame, furniture: pl.DataFrame, version: str) -> None:
    """Remember what reading `files` gave (replacing earlier reads of the same paths), in one transaction."""
    candidates, refused, furniture = (with_file_paths(frame, files) for frame in (candidates, refused, furniture))
    if files.is_empty() or any(frame["path"].null_count() for frame in (candidates, refused, furniture)):
        return                  # a row whose file cannot be told: the batch is simply read again next time
    read = files.select(*_FILE_KEY, pl.lit(version).alias("reader_version"), "origin",
                        pl.lit(datetime.now(UTC)).alias("read_at"))
    with transaction(con):
        con.register("_read", read.to_arrow())
        try:
            for table in ("read_files", "read_documents", "read_refusals", "read_furniture"):
                con.execute(f"DELETE FROM {table} WHERE path IN (SELECT path FROM _read)")
            con.execute("INSERT INTO read_files BY NAME SELECT * FROM _read")
        finally:
            con.unregister("_read")
        insert_frame(con, "read_documents", candidates)
        insert_frame(con, "read_refusals", refused)
        insert_frame(con, "read_furniture", furniture)


def with_texts(con: duckdb.DuckDBPyConnection, documents: pl.DataFrame) -> pl.DataFrame:
    """`documents` with each null text filled from the read cache (a text is found by its doc_id, the
    text's own hash, whichever file it was read from)."""
    wanted = documents.filter(pl.col("text").is_null()).select("doc_id")
    if wanted.is_empty():
        return documents
    con.register("_wanted", wanted.to_arrow())
    try:
        texts = read_table(con, cached_texts("_wanted"))
    finally:
        con.unregister("_wanted")
    return (documents.join(texts, on="doc_id", how="left", suffix="_read")
            .with_columns(pl.coalesce("text", "text_read").alias("text")).drop("text_read"))


def forget_missing_files(con: duckdb.DuckDBPyConnection, files: pl.DataFrame) -> None:
    """Drop reads of files no longer found under the origins this run read (other origins' reads stay)."""
    con.register("_present", files.select("path", "origin").to_arrow())
    try:
        with transaction(con):
            gone = ("SELECT r.path FROM read_files r WHERE r.origin IN (SELECT DISTINCT origin FROM _present) "
                    "AND r.path NOT IN (SELECT path FROM _present)")
            for table in ("read_documents", "read_refusals", "read_furniture", "read_files"):
                con.execute(f"DELETE FROM {table} WHERE path IN ({gone})")
    finally:
        con.unregister("_present")


def _as_read(documents: pl.DataFrame) -> pl.DataFrame:
    """Documents from DuckDB in the types reading gives them (DuckDB names UTC "Etc/UTC")."""
    return documents.with_columns(pl.col("retrieved_at").dt.convert_time_zone("UTC"))


def _document_schema(con: duckdb.DuckDBPyConnection) -> dict:
    return read_table(con, f"SELECT {_WITHOUT_TEXT} FROM read_documents LIMIT 0").schema
