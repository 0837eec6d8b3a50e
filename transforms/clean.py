"""Normalising text, dropping page furniture, and settling document identity.

The cleaned text is the text of record: `doc_id` is its sha256 and every evidence offset points
into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml

from transforms.ids import sha256_hex
from transforms.ingest import QUARANTINE_SCHEMA

CLEANING_PATH = Path(__file__).parent / "data" / "cleaning.yaml"

DOCUMENT_COLUMNS = ["doc_id", "source", "origin", "title", "content_type", "url", "published", "n_chars", "retrieved_at",
                    "text"]
# a candidate also carries the hashes of its long paragraphs: identity across the corpus is settled on
# them, so a document read on an earlier run takes part without its text (see `settle_identity`)
CANDIDATE_COLUMNS = [*DOCUMENT_COLUMNS, "paragraph_keys"]


@dataclass(frozen=True)
class CleaningRules:
    furniture: dict[str, str]
    link_list: dict[str, str]
    abbreviations: list[str]
    abbreviations_before_numbers: list[str]
    max_document_chars: int
    near_duplicates: dict[str, float]


@lru_cache(maxsize=1)
def cleaning_rules(path: Path = CLEANING_PATH) -> CleaningRules:
    raw = yaml.safe_load(path.read_bytes())
    return CleaningRules(raw["furniture"], dict(raw["link_list"]), list(raw["abbreviations"]),
                         list(raw["abbreviations_before_numbers"]), int(raw["max_document_chars"]),
                         dict(raw["near_duplicates"]))


def paragraph_keys(text: pl.Expr, rules: CleaningRules) -> pl.Expr:
    """The sorted, distinct hashes of a text's long paragraphs, each lower-cased with spaces collapsed,
    so that a different header, footer or line wrapping does not hide a copy. (polars' hash is stable
    within a polars version, which is part of the reader version that keeps these keys.)"""
    shortest = rules.near_duplicates["min_paragraph_chars"]
    paragraph = pl.element().str.to_lowercase().str.replace_all(_WHITESPACE_TO_COLLAPSE, " ").str.strip_chars()
    return (text.str.split("\n")
            .list.eval(paragraph.filter(paragraph.str.len_chars() >= shortest).hash(seed=0).unique().sort())
            .cast(pl.List(pl.UInt64)))


def near_duplicates(documents: pl.DataFrame, rules: CleaningRules) -> pl.DataFrame:
    """(source, kept_source) for each document whose long paragraphs mostly appear in an earlier one.

    Documents are taken in source order and compared by their `paragraph_keys`.
    """
    settings = rules.near_duplicates
    paragraphs = (
        documents.select("source", pl.col("paragraph_keys").alias("paragraph"))
        .explode("paragraph")
        .drop_nulls("paragraph")
    )
    # boilerplate shared by many documents says nothing about copies (and would make the join quadratic)
    common = pl.len().over("paragraph") > settings["max_documents_per_paragraph"]
    paragraphs = paragraphs.filter(~common)
    sizes = paragraphs.group_by("source").agg(pl.len().alias("n_paragraphs"))
    order = documents.select("source").with_row_index("rank")
    shared = (
        paragraphs.join(paragraphs, on="paragraph", suffix="_other")
        .filter(pl.col("source") != pl.col("source_other"))
        .group_by("source", "source_other")
        .agg(pl.len().alias("n_shared"))
        .join(sizes, on="source")
        .join(order, on="source")
        .join(order.rename({"source": "source_other", "rank": "rank_other"}), on="source_other")
        .filter((pl.col("rank_other") < pl.col("rank"))
                & (pl.col("n_paragraphs") >= settings["min_paragraphs"])
                & (pl.col("n_shared") / pl.col("n_paragraphs") >= settings["min_shared_share"]))
    )
    return (
        shared.sort("rank_other").group_by("source", maintain_order=True)
        .agg(pl.col("source_other").first().alias("kept_source"))
    )


def normalise_text(text: pl.Expr) -> pl.Expr:
    """Unicode NFC, LF line endings, no control characters, no trailing spaces, at most one blank line."""
    return collapse_blank_lines(
        in_nfc(text)
        .str.replace_all("\r\n?", "\n")
        .str.replace_all(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\u200b]", "")
        .str.replace_all(r"[ \t]+\n", "\n")
    )


def collapse_blank_lines(text: pl.Expr) -> pl.Expr:
    """At most one blank line, none at either end: what dropping whole lines of normalised text can
    undo of its normal form (its lines keep their NFC, their end and their characters)."""
    return text.str.replace_all(r"\n{3,}", "\n\n").str.strip_chars()


# Characters that are NFC in any sequence: every one is its own NFC, none is a combining mark and no
# two compose (checked for every pair with `unicodedata`; Unicode's stability policy keeps it so).
# Latin with its accents, IPA, spacing modifiers, and the general punctuation of web text (dashes,
# curly quotes, bullets), but not U+2000/U+2001, whose NFC is U+2002/U+2003.
_ALWAYS_NFC = r"\x00-\u02ff\u2002-\u206f"


def in_nfc(text: pl.Expr) -> pl.Expr:
    """Unicode NFC, computed only for texts holding a character outside `_ALWAYS_NFC`: the others are
    NFC already, and normalising them was over half of cleaning (0.42 of 0.74 s for 4,000 articles)."""
    may_change = text.str.contains(f"[^{_ALWAYS_NFC}]")
    return pl.coalesce(pl.when(may_change).then(text).str.normalize("NFC"), text)


# `\s+` -> " " rewritten to match only where something changes (a run of two, or one whitespace
# character that is not a space): the same result, without a match at every space (0.15 -> 0.04 s
# over 4,000 articles)
_WHITESPACE_TO_COLLAPSE = r"\s{2,}|[^\S ]"


FURNITURE_SCHEMA = {"source": pl.String, "origin": pl.String, "rule": pl.String, "lines_dropped": pl.Int64}


def drop_furniture(raw: pl.DataFrame, rules: CleaningRules | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Remove whole lines that are page furniture; return (frame, lines dropped per document and rule,
    only where some were: `FURNITURE_SCHEMA`)."""
    rules = rules or cleaning_rules()
    lines = (
        raw.select(pl.int_range(pl.len()).alias("_row"), pl.col("text").str.split("\n").alias("line"))
        .explode("line")
        .with_columns(pl.col("line").str.strip_chars().str.to_lowercase().alias("_probe"))
    )
    flags = {name: pl.col("_probe").str.contains(f"(?i){pattern}") for name, pattern in rules.furniture.items()}
    # an item of a link list: the last line before it that is no item is the list's furniture heading
    item = pl.col("_probe").str.contains(rules.link_list["item"])
    under_link_heading = pl.when(~item).then(pl.col("_probe").str.contains(rules.link_list["heading"]))
    flags["link_list"] = item & under_link_heading.forward_fill().over("_row").fill_null(False)
    lines = lines.with_columns(**{f"_f_{name}": expr for name, expr in flags.items()})
    is_furniture = pl.any_horizontal([pl.col(f"_f_{name}") for name in flags])
    counts = (
        lines.group_by("_row").agg([pl.col(f"_f_{name}").sum().alias(name) for name in flags])
        .unpivot(index="_row", variable_name="rule", value_name="lines_dropped")
        .filter(pl.col("lines_dropped") > 0)
        .join(raw.select(pl.int_range(pl.len()).alias("_row"), "source", "origin"), on="_row")
        .select(list(FURNITURE_SCHEMA))
        .cast(FURNITURE_SCHEMA)
        .sort("source", "rule")
    )
    kept = (
        lines.filter(~is_furniture)
        .group_by("_row", maintain_order=True)
        .agg(pl.col("line").str.join("\n").alias("text"))
    )
    cleaned = (
        raw.drop("text")
        .with_row_index("_row")
        .with_columns(pl.col("_row").cast(pl.Int64))
        .join(kept.with_columns(pl.col("_row").cast(pl.Int64)), on="_row", how="left")
        .drop("_row")
        .with_columns(pl.col("text").fill_null(""))
    )
    return cleaned, counts


def clean_documents(raw: pl.DataFrame, rules: CleaningRules | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Raw documents -> (documents, quarantine, furniture lines dropped per rule): `clean_batch`, then
    `settle_identity`."""
    candidates, refused, counts = clean_batch(raw, rules)
    documents, copies = settle_identity(candidates, rules)
    return documents, pl.concat([refused, copies]), sum_furniture([counts])


def clean_batch(raw: pl.DataFrame, rules: CleaningRules | None = None
                ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """What can be decided one document at a time, so it runs batch by batch as files are read:
    normalised text, furniture dropped, the text's sha256 as doc_id. Returns (candidate documents,
    quarantine for empty and over-long texts, furniture lines dropped per document)."""
    rules = rules or cleaning_rules()
    raw = raw.with_columns([pl.lit(None, pl.String).alias(c) for c in ("url", "published") if c not in raw.columns])
    if "origin" not in raw.columns:
        raw = raw.with_columns(pl.col("source").alias("origin"))
    normalised = raw.with_columns(normalise_text(pl.col("text")).alias("text"))
    without_furniture, counts = drop_furniture(normalised, rules)
    docs = without_furniture.with_columns(collapse_blank_lines(pl.col("text")).alias("text")).with_columns(
        pl.col("text").str.len_chars().cast(pl.Int64).alias("n_chars")
    )
    empty = docs.filter(pl.col("n_chars") == 0)
    too_long = docs.filter(pl.col("n_chars") > rules.max_document_chars)
    docs = docs.filter((pl.col("n_chars") > 0) & (pl.col("n_chars") <= rules.max_document_chars))
    docs = docs.with_columns(sha256_hex(docs["text"]).alias("doc_id"), paragraph_keys(pl.col("text"), rules).alias("paragraph_keys"))
    quarantine = pl.concat([
        _quarantined(empty, "empty", pl.lit("no text left after cleaning")),
        _quarantined(too_long, "too_large", pl.format("{} characters > limit {}", "n_chars",
                                                      pl.lit(rules.max_document_chars))),
    ])
    return docs.select(CANDIDATE_COLUMNS), quarantine, counts


def settle_identity(candidates: pl.DataFrame, rules: CleaningRules | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Across the whole corpus: exact duplicates (same doc_id) and near-duplicates (see
    `near_duplicates`) are quarantined; the first of a set, by source name, is kept.

    Only identity is read (doc_id, source, paragraph_keys): a candidate's `text` may be null when it
    stays in the read cache (see `warehouse.read_cache`)."""
    rules = rules or cleaning_rules()
    docs = candidates.sort("source")
    first = docs.unique("doc_id", keep="first", maintain_order=True)
    duplicates = docs.join(first.select("doc_id", pl.col("source").alias("kept_source")), on="doc_id").filter(
        pl.col("source") != pl.col("kept_source")
    )
    copies = near_duplicates(first, rules)
    near = first.join(copies, on="source")
    first = first.join(copies, on="source", how="anti")
    quarantine = pl.concat([
        _quarantined(duplicates, "duplicate", pl.format("same text as {}", "kept_source"), pl.col("doc_id")),
        _quarantined(near, "near_duplicate", pl.format("same article as {} (other header or footer)", "kept_source"),
                     pl.col("doc_id")),
    ])
    return first.select(DOCUMENT_COLUMNS), quarantine


def set_aside(documents: pl.DataFrame, failed: pl.DataFrame, reason: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Documents a later stage failed on, moved to quarantine: (the rest, quarantine rows).

    `failed` has the documents' `doc_id` and a `detail` saying what went wrong."""
    if failed.is_empty():
        return documents, pl.DataFrame(schema=QUARANTINE_SCHEMA)
    hit = documents.join(failed, on="doc_id")
    return (documents.join(failed, on="doc_id", how="anti"),
            _quarantined(hit, reason, pl.col("detail"), pl.col("doc_id")))


def _quarantined(frame: pl.DataFrame, reason: str, detail: pl.Expr,
                 doc_id: pl.Expr = pl.lit(None, pl.String)) -> pl.DataFrame:
    """Quarantine rows for every document of `frame`, with one reason."""
    return frame.select("source", "origin", pl.lit(reason).alias("reason"), detail.alias("detail"),
                        doc_id.alias("doc_id"), pl.col("retrieved_at").alias("quarantined_at")
                        ).cast(QUARANTINE_SCHEMA).select(list(QUARANTINE_SCHEMA))


def sum_furniture(counts: list[pl.DataFrame]) -> pl.DataFrame:
    """Furniture lines dropped, per document, of several batches, added up per rule."""
    if not counts:
        return pl.DataFrame(schema={"rule": pl.String, "lines_dropped": pl.Int64})
    return (pl.concat([c.select("rule", "lines_dropped") for c in counts]).group_by("rule").agg(pl.col("lines_dropped").sum())
            .sort("rule"))
