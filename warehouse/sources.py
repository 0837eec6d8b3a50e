"""The state of each named source in the warehouse: documents, quarantined inputs, pages checked."""

from __future__ import annotations

import duckdb
import polars as pl

from transforms.manifest import Source
from warehouse.store import LATEST_LOADED_RUN, read_table

STATE_SCHEMA = {"name": pl.String, "kind": pl.String, "location": pl.String, "license": pl.String,
                "tags": pl.List(pl.String), "n_urls": pl.Int64, "n_documents": pl.Int64, "n_quarantined": pl.Int64,
                "last_checked": pl.Datetime("us", "UTC")}


def source_states(sources: list[Source], con: duckdb.DuckDBPyConnection | None) -> pl.DataFrame:
    """One row per source, in the manifest's order; counts are zero before the first refresh."""
    plan = pl.DataFrame(
        [{"name": s.name, "kind": s.kind, "location": s.location, "license": s.license, "tags": list(s.tags),
          "n_urls": len(s.urls)} for s in sources],
        schema={k: STATE_SCHEMA[k] for k in ("name", "kind", "location", "license", "tags", "n_urls")},
    )
    if con is None:
        counts = pl.DataFrame(schema={"name": pl.String, "n_documents": pl.Int64, "n_quarantined": pl.Int64,
                                      "last_checked": pl.Datetime("us", "UTC")})
    else:
        counts = read_table(con, f"""
            WITH docs AS (SELECT origin AS name, count(*) AS n_documents FROM documents GROUP BY origin),
                 latest AS ({LATEST_LOADED_RUN}),
                 bad AS (SELECT origin AS name, count(*) AS n_quarantined FROM quarantine
                         WHERE run_id = (SELECT run_id FROM latest) GROUP BY origin),
                 pages AS (SELECT origin AS name, max(checked_at) AS last_checked FROM fetched_pages GROUP BY origin)
            SELECT name, n_documents, n_quarantined, last_checked
            FROM docs FULL JOIN bad USING (name) FULL JOIN pages USING (name)
        """)
    return (plan.join(counts, on="name", how="left")
            .with_columns(pl.col("n_documents", "n_quarantined").fill_null(0))
            .cast(STATE_SCHEMA).select(list(STATE_SCHEMA)))
