"""Reading and steering published versions: list, diff, promote, and reading tables for people."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from warehouse.changes import diff_tables, read_version_tables
from warehouse.home import Home
from warehouse.publish import point_latest_link, read_catalog, write_json_atomically
from warehouse.release import PUBLISHED_TABLES, kept_digests, unchanged_documents


class VersionError(ValueError):
    """A version that the catalog does not name, or a table that is not published."""


def version_folder(home: Home, version: str | None) -> Path:
    """The folder of `version` (None or "latest": the catalog's latest)."""
    catalog = read_catalog(home)
    chosen = catalog.get("latest") if version in (None, "latest") else version
    if not chosen:
        raise VersionError(f"nothing is published in {home.published}")
    if not any(v["version"] == chosen for v in catalog["versions"]):
        known = ", ".join(v["version"] for v in catalog["versions"]) or "none"
        raise VersionError(f"version {chosen} is not in the catalog (known: {known})")
    return home.published / chosen


def list_versions(home: Home) -> pl.DataFrame:
    catalog = read_catalog(home)
    rows = [{"version": v["version"], "created_at": v["created_at"], "latest": v["version"] == catalog.get("latest"),
             "documents": v["counts"]["documents"], "claims": v["counts"]["claims"],
             "comparisons": v["counts"]["comparisons"],
             "validation": "passed" if v["validation"]["success"] else "failed",
             "warnings": v["validation"]["warnings"], "changes": v["changes"]} for v in catalog["versions"]]
    schema = {"version": pl.String, "created_at": pl.String, "latest": pl.Boolean, "documents": pl.Int64,
              "claims": pl.Int64, "comparisons": pl.Int64, "validation": pl.String, "warnings": pl.Int64,
              "changes": pl.String}
    return pl.DataFrame(rows, schema=schema)


def diff_versions(home: Home, old: str, new: str | None = None) -> dict:
    old_folder, new_folder = version_folder(home, old), version_folder(home, new)
    changes = diff_tables(read_version_tables(old_folder), read_version_tables(new_folder),
                          unchanged=unchanged_documents(kept_digests(old_folder), kept_digests(new_folder)))
    return {"from": old_folder.name, "to": new_folder.name, **changes}


def promote(home: Home, version: str) -> str:
    """Point `latest` at an existing version (rollback or roll forward); history keeps the move."""
    folder = version_folder(home, version)
    catalog = read_catalog(home)
    previous = catalog.get("latest")
    catalog["latest"] = folder.name
    catalog.setdefault("history", []).append({"at": datetime.now(UTC).isoformat(timespec="seconds"),
                                              "action": "promote", "version": folder.name, "from": previous})
    write_json_atomically(home.catalog, catalog)
    point_latest_link(home, folder.name)
    return previous


def read_published_table(home: Home, table: str, version: str | None = None, subject: str | None = None,
                         attribute: str | None = None) -> pl.DataFrame:
    if table not in PUBLISHED_TABLES:
        raise VersionError(f"unknown table {table!r}; published tables: {', '.join(PUBLISHED_TABLES)}")
    frame = pl.read_parquet(version_folder(home, version) / f"{table}.parquet")
    if subject is not None and "subject" in frame.columns:
        frame = frame.filter(pl.col("subject") == subject)
    if attribute is not None and "attribute" in frame.columns:
        frame = frame.filter(pl.col("attribute") == attribute)
    return frame
