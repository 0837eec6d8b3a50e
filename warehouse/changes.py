"""What changed between two versions' tables: documents, claims, comparisons and matrix cells."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from transforms.summarise import MATRIX_KEY

_DIFFED = {"documents": "doc_id", "claims": "claim_id", "comparisons": "comparison_id"}
_MATRIX_MEASURES = ["n_documents", "n_claims", "n_documents_negating", "conflict"]
# what a change lists for a row of each diffed table (its key first)
_LISTED = {"documents": ["doc_id", "source"],
           "claims": ["claim_id", "doc_id", "subject", "attribute", "value", "negated"],
           "comparisons": ["comparison_id", "doc_id", "subject", "attribute", "relation", "object"]}


def read_version_tables(folder: Path) -> dict[str, pl.DataFrame]:
    """The columns a diff needs from a published version (evidence quotes are left on disk)."""
    tables = {name: pl.read_parquet(folder / f"{name}.parquet", columns=_LISTED[name]) for name in _DIFFED}
    tables["comparison_matrix"] = pl.read_parquet(folder / "comparison_matrix.parquet")
    return tables


def diff_tables(old: dict[str, pl.DataFrame] | None, new: dict[str, pl.DataFrame | pl.LazyFrame],
                row_limit: int | None = None, unchanged: dict[str, pl.DataFrame] | None = None) -> dict:
    """A JSON-ready description of the change from `old` (None: nothing before) to `new`.

    Counts are always complete; with `row_limit`, each list of added or removed rows stops there
    (`rows_truncated` says so): a first version of 100,000 documents would otherwise list millions.
    `unchanged`: per table, documents whose rows are the same in both (equal digests); their rows are
    left out of the comparison, as a row's id names its document (with 1% of 100,000 documents changed,
    joining every claim id of both versions took 2 s of the publish).
    """
    changes: dict = {}
    for name, key in _DIFFED.items():
        # lazily, so that a staged (on-disk) table is compared without loading it whole
        rows = new[name].lazy().select(_LISTED[name])
        before = old[name].lazy().select(_LISTED[name]) if old else rows.clear()
        if unchanged and name in unchanged:
            same = pl.col("doc_id").is_in(unchanged[name]["doc_id"].implode())
            rows, before = rows.filter(~same), before.filter(~same)
        added = rows.join(before.select(key), on=key, how="anti").collect(engine="streaming")
        removed = before.join(rows.select(key), on=key, how="anti").collect(engine="streaming")
        changes[name] = {"added": added.height, "removed": removed.height,
                         "added_rows": _rows(name, added, row_limit), "removed_rows": _rows(name, removed, row_limit),
                         "rows_truncated": row_limit is not None and max(added.height, removed.height) > row_limit}
    before = old["comparison_matrix"] if old else new["comparison_matrix"].clear()
    joined = new["comparison_matrix"].join(before, on=MATRIX_KEY, how="full", suffix="_old", coalesce=True)
    changed = joined.filter(
        pl.any_horizontal([pl.col(m).ne_missing(pl.col(f"{m}_old")) for m in _MATRIX_MEASURES])
    ).select(*MATRIX_KEY, *[c for m in _MATRIX_MEASURES for c in (f"{m}_old", m)])
    changes["comparison_matrix"] = {"cells_changed": changed.height, "cells": changed.to_dicts()}
    return changes


def _rows(name: str, frame: pl.DataFrame, limit: int | None = None) -> list[dict]:
    return frame.select(_LISTED[name]).head(limit if limit is not None else frame.height).to_dicts()


def summary_line(changes: dict) -> str:
    """One line for `kvp versions` and the card."""
    d, c, m = changes["documents"], changes["claims"], changes["comparison_matrix"]
    return (f"documents +{d['added']}/-{d['removed']}, claims +{c['added']}/-{c['removed']}, "
            f"comparisons +{changes['comparisons']['added']}/-{changes['comparisons']['removed']}, "
            f"matrix cells changed {m['cells_changed']}")


def changes_markdown(changes: dict, version: str, previous: str | None) -> str:
    lines = [f"# Changes in {version}", "", f"Against: {previous or 'nothing (first version)'}", "",
             f"- {summary_line(changes)}", ""]
    for name in ("claims", "comparisons"):
        for label, rows in (("Added", changes[name]["added_rows"]), ("Removed", changes[name]["removed_rows"])):
            if rows:
                lines += [f"## {label} {name}", ""]
                lines += [f"- `{r['doc_id'][:12]}` " + " ".join(str(r[k]) for k in list(r)[2:]) for r in rows[:500]]
                total = changes[name][label.lower()]
                if total > 500:
                    lines.append(f"- ... and {total - 500} more (`kvp diff` lists them all)")
                lines.append("")
    return "\n".join(lines)
