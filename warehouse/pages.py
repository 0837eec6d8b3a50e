"""What the warehouse remembers about pages fetched by URL (see `transforms.fetch`)."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl

from transforms.fetch import REQUEST_SCHEMA
from transforms.ingest import RAW_SCHEMA
from warehouse.store import insert_frame, read_table, transaction


def with_validators(con: duckdb.DuckDBPyConnection, requests: pl.DataFrame) -> pl.DataFrame:
    """The requests (source, origin) with the ETag and Last-Modified last seen for each URL."""
    con.register("_requests", requests.select("source", "origin").to_arrow())
    try:
        found = read_table(con, "SELECT r.source, r.origin, p.etag, p.last_modified FROM _requests r "
                                "LEFT JOIN fetched_pages p USING (source)")
    finally:
        con.unregister("_requests")
    return requests.select("source").join(found, on="source", how="left").cast(REQUEST_SCHEMA)


def remember_pages(con: duckdb.DuckDBPyConnection, pages: pl.DataFrame, not_modified: pl.DataFrame,
                   now: datetime | None = None) -> pl.DataFrame:
    """Store downloaded pages, mark unchanged ones as checked; return raw rows for both.

    `not_modified` holds (source, origin) of URLs answered 304; their rows come from the stored copy.
    """
    now = now or datetime.now(UTC)
    with transaction(con):
        if pages.height:
            con.execute("DELETE FROM fetched_pages WHERE source IN (SELECT unnest(?))", [pages["source"].to_list()])
            insert_frame(con, "fetched_pages", pages.with_columns(pl.lit(now).alias("checked_at")))
        con.register("_unchanged", not_modified.select("source", "origin").to_arrow())
        try:
            con.execute("UPDATE fetched_pages SET checked_at = ? WHERE source IN (SELECT source FROM _unchanged)",
                        [now])
            stored = read_table(con, "SELECT p.* EXCLUDE (origin), u.origin FROM fetched_pages p "
                                     "JOIN _unchanged u USING (source)")
        finally:
            con.unregister("_unchanged")
    columns = list(RAW_SCHEMA)
    return pl.concat([pages.select(columns).cast(RAW_SCHEMA), stored.select(columns).cast(RAW_SCHEMA)])

