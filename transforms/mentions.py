"""Finding lexicon phrases in sentences: one Aho-Corasick pass for all lexicons, character offsets out.

Matching runs on a "word view" of the folded sentence text: every character that is not a
lower-case ASCII letter or digit becomes a space and the sentence is padded with one space on each
side. Word phrases are matched as " phrase " in that view, so a match starts and ends on word
boundaries by construction (and "well-tolerated" matches "well tolerated"); the view keeps
character offsets (see `transforms.textfold`). Punctuation phrases (terminators such as ";")
are matched on the folded text itself.

All matches are found (overlapping); a match covered by a longer match of the same layer is
dropped: "treatment-resistant depression" hides "depression", while a cue of another layer inside
it is still seen by its own layer.
"""

from __future__ import annotations

import re

import polars as pl

_NON_WORD = re.compile(r"[^a-z0-9]")


def word_key(phrase: str) -> str:
    """The form a word phrase takes in the word view: " well tolerated "."""
    return f" {_NON_WORD.sub(' ', phrase)} "


def _matches(text: pl.Expr, patterns: list[str], pad: int) -> list[pl.Expr]:
    return [
        text.str.extract_many(patterns, overlapping=True).alias("key"),
        text.str.find_many(patterns, overlapping=True).alias("at"),
    ]


def find_mentions(sentences: pl.DataFrame, lexicon: pl.DataFrame) -> pl.DataFrame:
    """sentences(doc_id, sentence_no, folded) x lexicon(phrase, layer, ...) -> mentions with start/end.

    One row per (mention, lexicon row): a phrase with several roles yields several rows.
    """
    if "layer" not in lexicon.columns:
        lexicon = lexicon.with_columns(pl.lit("all").alias("layer"))
    is_word = pl.col("phrase").str.contains(r"[a-z0-9]")
    keyed = lexicon.with_columns(
        pl.when(is_word)
        .then(pl.col("phrase").map_elements(word_key, return_dtype=pl.String))
        .otherwise(pl.col("phrase"))
        .alias("key"),
        is_word.alias("_word"),
    )
    # spelling variants ("well-tolerated", "well tolerated") share a key: one row per reading
    keyed = keyed.unique([c for c in keyed.columns if c != "phrase"], keep="first", maintain_order=True)
    word_patterns = sorted(set(keyed.filter(pl.col("_word"))["key"].to_list()))
    punct_patterns = sorted(set(keyed.filter(~pl.col("_word"))["key"].to_list()))
    if sentences.is_empty() or not (word_patterns or punct_patterns):
        return _empty(lexicon, sentences)

    base = sentences.lazy().select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_sid"), "folded")
    parts = []
    if word_patterns:
        view = pl.lit(" ") + pl.col("folded").str.replace_all(r"[^a-z0-9]", " ") + pl.lit(" ")
        parts.append(base.select("_sid", *_matches(view, word_patterns, 1)).explode(["key", "at"])
                     .with_columns(pl.col("at").cast(pl.Int64).alias("start"),
                                   (pl.col("at").cast(pl.Int64) + pl.col("key").str.len_bytes() - 2).alias("end")))
    if punct_patterns:
        parts.append(base.select("_sid", *_matches(pl.col("folded"), punct_patterns, 0)).explode(["key", "at"])
                     .with_columns(pl.col("at").cast(pl.Int64).alias("start"),
                                   (pl.col("at").cast(pl.Int64) + pl.col("key").str.len_bytes()).alias("end")))
    layer_of_key = keyed.select("key", "layer").unique().lazy()
    spans = (
        pl.concat(parts)
        .drop_nulls("key")
        .select("_sid", "start", "end", "key")
        .join(layer_of_key, on="key")
        .unique(["_sid", "layer", "start", "end"])
        .sort(["_sid", "layer", "start", "end"], descending=[False, False, False, True])
        .with_columns(
            (pl.col("end").cum_max().shift(1).over(["_sid", "layer"]) >= pl.col("end")).fill_null(False).alias("_covered")
        )
        .filter(~pl.col("_covered"))
        .join(keyed.lazy().drop("_word"), on=["key", "layer"])
        .join(sentences.lazy().select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_sid"), "doc_id", "sentence_no"),
              on="_sid")
        .select("doc_id", "sentence_no", "start", "end", *lexicon.columns)
    )
    return spans.collect()


def _empty(lexicon: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    base = pl.DataFrame(schema={"doc_id": sentences.schema["doc_id"], "sentence_no": sentences.schema["sentence_no"],
                                "start": pl.Int64, "end": pl.Int64})
    return pl.concat([base, lexicon.clear()], how="horizontal")
