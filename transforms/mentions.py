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


# the folded text is ASCII lower case: every other ASCII character separates words
_NON_WORD_CHARS = [chr(c) for c in range(128) if not ("a" <= chr(c) <= "z" or "0" <= chr(c) <= "9")]
_LAYER_CODES = {"entities": 0, "contexts": 1, "cues": 2, "all": 3}
_POSITION_BITS = 20   # sentences up to ~1M characters
_LENGTH_BITS = 10     # phrases up to 1023 characters


WORD_VIEW = "word_view"


def word_view(folded: pl.Expr) -> pl.Expr:
    """The word view of folded text: " " + every character but a-z and 0-9 as a space + " "."""
    return (pl.lit(" ") + folded.str.replace_many(_NON_WORD_CHARS, [" "] * len(_NON_WORD_CHARS))
            + pl.lit(" ")).alias(WORD_VIEW)


def with_word_view(sentences: pl.DataFrame) -> pl.DataFrame:
    """Sentences with their word view as a column: scanning them for several lexicons builds it once."""
    return sentences.with_columns(word_view(pl.col("folded")))


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

    # the word view is built once (or given: see `with_word_view`), then scanned twice (matched phrases,
    # their offsets)
    views = sentences.select(pl.col("folded"), pl.col(WORD_VIEW) if WORD_VIEW in sentences.columns
                             else word_view(pl.col("folded")))
    found = []
    for patterns, text, pad in ((word_patterns, pl.col(WORD_VIEW), 2), (punct_patterns, pl.col("folded"), 0)):
        if not patterns:
            continue
        found.append(
            views.select(
                pl.int_range(pl.len(), dtype=pl.Int64).alias("_sid"),
                text.str.extract_many(patterns, overlapping=True).alias("key"),
                text.str.find_many(patterns, overlapping=True).alias("at"),
            )
            .explode(["key", "at"])
            .drop_nulls("key")
            .select("_sid", "key", pl.col("at").cast(pl.Int64).alias("start"),
                    (pl.col("key").str.len_bytes().cast(pl.Int64) - pad).alias("_len"))
        )
    layer_of_key = keyed.select("key", pl.col("layer").replace_strict(_LAYER_CODES, return_dtype=pl.Int64)
                                .alias("_layer")).unique()
    spans = pl.concat(found).join(layer_of_key, on="key")
    # drop spans covered by a longer span of the same layer: order by (sentence, layer, start, longest
    # first) on one integer, then a running maximum of the end, also as one integer per group
    group = pl.col("_sid") * 4 + pl.col("_layer")
    position, length = 1 << _POSITION_BITS, 1 << _LENGTH_BITS
    order = ((group * position) + pl.col("start")) * length + (length - 1 - pl.col("_len").clip(0, length - 1))
    reach = group * position + pl.col("start") + pl.col("_len")
    spans = (
        spans.sort(order)
        .filter(~(reach.cum_max().shift(1) >= reach).fill_null(False))
        .select("_sid", "start", (pl.col("start") + pl.col("_len")).alias("end"), "key",
                pl.col("_layer"))
    )
    lexicon_rows = keyed.drop("_word").with_columns(
        pl.col("layer").replace_strict(_LAYER_CODES, return_dtype=pl.Int64).alias("_layer"))
    mentions = spans.join(lexicon_rows, on=["key", "_layer"])
    # `sid`: the sentences' own `sid` column if they have one, else their row number
    sid = sentences["sid"].cast(pl.Int64) if "sid" in sentences.columns else pl.Series(range(sentences.height))
    mentions = mentions.with_columns(sentences["doc_id"].gather(mentions["_sid"]).alias("doc_id"),
                                     sentences["sentence_no"].gather(mentions["_sid"]).alias("sentence_no"),
                                     sid.gather(mentions["_sid"]).cast(pl.Int64).alias("sid"))
    return mentions.select("doc_id", "sentence_no", "sid", "start", "end", *lexicon.columns)


def _empty(lexicon: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    base = pl.DataFrame(schema={"doc_id": sentences.schema["doc_id"], "sentence_no": sentences.schema["sentence_no"],
                                "sid": pl.Int64, "start": pl.Int64, "end": pl.Int64})
    return pl.concat([base, lexicon.clear()], how="horizontal")
