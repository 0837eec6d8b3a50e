"""The dataset card (README.md of a version), generated from the tables and the ontology."""

from __future__ import annotations

import html
import re

import polars as pl

from transforms.ontology import Ontology
from warehouse.release import Table, row_count

GLANCE_SUBJECTS = ["ketamine", "esketamine", "psilocybin", "mdma", "lsd", "psychedelics",
                   "traditional_antidepressants"]
GLANCE_ATTRIBUTES = ["mechanism", "onset", "duration", "route", "setting", "regimen", "indication",
                     "side_effect", "risk", "legal_status", "evidence_level"]
CARD_SOURCES_LISTED = 200   # the card names this many documents; documents.parquet has them all


def escape_md(text: str | None) -> str:
    """Document-derived text made inert in Markdown and HTML renderers."""
    if text is None:
        return ""
    text = html.escape(" ".join(str(text).split()), quote=True)
    return re.sub(r"([\\`*_\[\]|#!])", r"\\\1", text)


def glance_table(matrix: pl.DataFrame, ontology: Ontology) -> str:
    """Attributes down, therapies across; each cell lists values with the documents that assert them."""
    asserted = matrix.filter(pl.col("n_documents") > 0)
    labels = {s: ontology.subjects[s].get("label", s) for s in GLANCE_SUBJECTS}
    header = "| attribute | " + " | ".join(labels[s] for s in GLANCE_SUBJECTS) + " |"
    lines = [header, "|" + "---|" * (len(GLANCE_SUBJECTS) + 1)]
    for attribute in GLANCE_ATTRIBUTES:
        cells = []
        for subject in GLANCE_SUBJECTS:
            rows = asserted.filter((pl.col("subject") == subject) & (pl.col("attribute") == attribute)).sort(
                ["n_documents", "value"], descending=[True, False])
            cell = ", ".join(
                f"{r['value']} ({r['n_documents']}{'!' if r['conflict'] else ''})" for r in rows.iter_rows(named=True))
            cells.append(cell or "·")
        label = ontology.attributes[attribute].get("label", attribute)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_card(*, version: str, created_at: str, tables: dict[str, Table], ontology: Ontology,
                changes_line: str, previous: str | None, validation: dict, metadata: dict,
                chart_file: str | None = None) -> str:
    docs, claims, comparisons = tables["documents"], tables["claims"], tables["comparisons"]
    matrix = tables["comparison_matrix"]
    warnings = validation.get("warnings", [])
    conflicts = matrix.filter(pl.col("conflict")).select("subject", "attribute").unique().sort(["subject", "attribute"])
    lines = [
        "---",
        "license: other",
        f"version: {version}",
        "pretty_name: Ketamine versus psychedelic therapies: evidence-backed claims",
        "---",
        "",
        f"# Ketamine versus psychedelic therapies — claims dataset {version}",
        "",
        "## What this is",
        "",
        "Claims that source documents make about ketamine, esketamine, psychedelic therapies (psilocybin, MDMA,",
        "LSD, DMT) and the traditional antidepressants they are measured against, extracted automatically. Every",
        "claim carries its evidence: the exact quote and its character offsets in the normalised document text,",
        "and whether the source negated or hedged it.",
        "",
        "## What this is not",
        "",
        "- **Not medical advice.** Nothing here should guide treatment.",
        "- **Not verified facts.** A row says a document asserts something, not that it is true. Sources disagree;",
        "  see the conflicts below.",
        "- **Not complete.** The extractor finds claims with rules and misses some; measured quality is in the",
        "  project's evaluation (`kvp evaluate`).",
        "",
        "## This version",
        "",
        f"- Version: **{version}**, created {created_at}; previous: {previous or 'none'}",
        f"- Changes: {changes_line} (see CHANGES.md)",
        f"- Validation: **{'passed' if validation.get('success') else 'failed'}**, "
        f"{validation.get('n_expectations', 0)} expectations, {len(warnings)} warnings"
        + (f"; the rows of documents unchanged since {validation['validated_before']} were not checked row by row again"
           if validation.get("validated_before") else ""),
        f"- Pipeline {metadata['pipeline_version']}, ontology {metadata['ontology_version']}, "
        f"extractor {metadata['extractor_version']}",
        f"- Data fingerprint: `{metadata['data_fingerprint']}`",
        "",
        "| table | rows |",
        "|---|---|",
        *[f"| {name} | {row_count(frame)} |" for name, frame in tables.items()],
        f"| quarantined inputs (not published) | {metadata.get('n_quarantined', 0)} |",
        "",
    ]
    by_reason = metadata.get("quarantined_by_reason") or {}
    if by_reason:
        lines += ["Quarantined inputs by reason (`kvp quarantine` lists them): "
                  + ", ".join(f"`{reason}` {n}" for reason, n in by_reason.items()), ""]
    if warnings:
        lines += ["### Validation warnings", ""] + [f"- {escape_md(w)}" for w in warnings] + [""]
    lines += [
        "## The comparison at a glance",
        "",
        "Values asserted for each therapy, with the number of documents asserting each; `!` marks an",
        "attribute on which sources conflict (one asserts what another negates).",
        "",
        glance_table(matrix, ontology),
        "",
    ]
    if chart_file:
        lines += [f"![Support per therapy and attribute]({chart_file})", ""]
    lines += ["### Explicit comparisons", ""]
    if comparisons.is_empty():
        lines += ["None found.", ""]
    else:
        support = comparisons.filter(~pl.col("negated")).group_by(["subject", "attribute", "relation", "object"]).agg(
            pl.col("doc_id").n_unique().alias("n_documents")).sort("n_documents", "subject", descending=[True, False])
        lines += ["| subject | attribute | relation | object | documents |", "|---|---|---|---|---|"]
        lines += [f"| {r['subject']} | {r['attribute']} | {r['relation']} | {r['object']} | {r['n_documents']} |"
                  for r in support.iter_rows(named=True)]
        lines.append("")
    lines += ["### Conflicts between sources", ""]
    lines += [f"- {r['subject']} / {r['attribute']}" for r in conflicts.iter_rows(named=True)] or ["None found."]
    lines += ["", "## Sources", "", "| document | title | characters | sha256 |", "|---|---|---|---|"]
    lines += [f"| {escape_md(r['source'])} | {escape_md(r['title'])} | {r['n_chars']} | `{r['doc_id']}` |"
              for r in docs.sort("source").head(CARD_SOURCES_LISTED).iter_rows(named=True)]
    if docs.height > CARD_SOURCES_LISTED:
        lines += ["", f"... and {docs.height - CARD_SOURCES_LISTED} more documents (all of them in `documents.parquet`)."]
    lines += [
        "",
        "Licenses: the source documents belong to their publishers; this dataset publishes short evidence",
        "quotes and document hashes, not the documents.",
        "",
        "## Reading it",
        "",
        "```python",
        "import duckdb",
        f"duckdb.sql(\"SELECT * FROM 'claims.parquet' WHERE subject = 'ketamine'\")",
        "```",
        "",
        "Tables are described field by field in `datapackage.json`.",
        "",
    ]
    return "\n".join(lines)
