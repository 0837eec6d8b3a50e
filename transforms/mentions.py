"""Finding lexicon phrases in sentences: one Aho-Corasick pass per lexicon, character offsets out.

Matching runs on the folded sentence text, whose byte offsets equal character offsets of the
original (see `transforms.textfold`). Patterns are ordered longest first and matched
leftmost-first, so the longest phrase at the leftmost position wins; a match must start and end
on word boundaries unless the phrase itself starts or ends with punctuation.
"""

from __future__ import annotations

import polars as pl

MENTION_KEY = ["doc_id", "sentence_no", "start"]


def _is_word_char(char: pl.Expr) -> pl.Expr:
    return char.str.contains(r"^[a-z0-9]$")


def find_mentions(sentences: pl.DataFrame, lexicon: pl.DataFrame) -> pl.DataFrame:
    """sentences(doc_id, sentence_no, folded) x lexicon(phrase, ...) -> mentions with start/end.

    One row per (mention, lexicon row): a phrase with several roles yields several rows.
    """
    patterns = sorted(set(lexicon["phrase"].to_list()), key=lambda p: (-len(p), p))
    if not patterns or sentences.is_empty():
        return _empty(lexicon)
    found = (
        sentences.lazy()
        .select(
            "doc_id",
            "sentence_no",
            "folded",
            pl.col("folded").str.extract_many(patterns, leftmost=True).alias("phrase"),
            pl.col("folded").str.find_many(patterns, leftmost=True).alias("start"),
        )
        .explode(["phrase", "start"])
        .drop_nulls("phrase")
        .with_columns(pl.col("start").cast(pl.Int64))
        .with_columns((pl.col("start") + pl.col("phrase").str.len_bytes().cast(pl.Int64)).alias("end"))
        .with_columns(
            pl.when(pl.col("start") > 0)
            .then(pl.col("folded").str.slice(pl.col("start") - 1, 1))
            .otherwise(pl.lit(" "))
            .alias("_before"),
            pl.col("folded").str.slice(pl.col("end"), 1).alias("_after"),
        )
        .filter(
            (~_is_word_char(pl.col("phrase").str.head(1)) | ~_is_word_char(pl.col("_before")))
            & (~_is_word_char(pl.col("phrase").str.tail(1)) | ~_is_word_char(pl.col("_after")))
        )
        .select("doc_id", "sentence_no", "start", "end", "phrase")
        .join(lexicon.lazy(), on="phrase", how="inner")
    )
    return found.collect()


def _empty(lexicon: pl.DataFrame) -> pl.DataFrame:
    base = pl.DataFrame(schema={"doc_id": pl.String, "sentence_no": pl.Int32, "start": pl.Int64, "end": pl.Int64})
    return pl.concat([base, lexicon.clear()], how="horizontal")
