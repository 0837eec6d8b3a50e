"""Sentence segmentation for web text, as polars expressions over whole documents.

Boundaries: a line break (headings, bullets and list items are lines of their own) or a
terminal mark followed by space and a character that is not a lower-case letter; in a document
written in lower case (a forum post: most of its sentences open in lower case), any character.
Known abbreviations (some only before a number: "No. 5") and list numbers ("1.") are protected first by
swapping their full stop for a placeholder of the same length, so offsets never move. An
abbreviation starts a word: "al." protects "et al." but not the end of "a clinical trial."
"""

from __future__ import annotations

import polars as pl

from transforms.clean import CleaningRules, cleaning_rules
from transforms.textfold import fold_expr

_PROTECT = "\x01"
_SPLIT = "\x1e"
_LIST_NUMBER = r"(?m)^([ \t]*\d{1,3})\.([ \t])"
_BOUNDARY = r"""([.!?]['"’”)\]]*)([ \t]+)([^\p{Ll}\s])"""
_LOWER_CASE_BOUNDARY = r"""([.!?]['"’”)\]]*)([ \t]+)([^\s])"""
# what may stand right before an abbreviation: it starts a word
_WORD_OPENERS = [" ", "\t", "\n", "(", "[", '"', "'", "\u201c", "\u2018", "/"]
# a document opens its sentences in lower case when more of them do than not, within its first
# characters (enough to judge the style, cheap on long documents)
_STYLE_SAMPLE = 4000
_LOWER_CASE_MIN = 3     # fewer lower-case openings tell no style ("... are used. approx. half respond.")
_ITEM_MARKER = r"(?:[•*·▪‣◦–-]|\d{1,3}\x01|\d{1,3}\)|[A-Za-z]\))[ \t]+"
_LEADING_MARKER = rf"^(\s*(?:{_ITEM_MARKER})?\s*)"

SENTENCE_SCHEMA = {"doc_id": pl.String, "sentence_no": pl.Int32, "char_start": pl.Int64, "char_end": pl.Int64,
                   "text": pl.String, "folded": pl.String, "is_question": pl.Boolean, "is_line": pl.Boolean,
                   "is_item": pl.Boolean}


def split_sentences(documents: pl.DataFrame, rules: CleaningRules | None = None) -> pl.DataFrame:
    """documents(doc_id, text) -> sentences(doc_id, sentence_no, char_start, char_end, text, folded, ...).

    `text` equals the document text[char_start:char_end]; `folded` is the same text folded for
    matching (same length, see `transforms.textfold`).
    """
    rules = rules or cleaning_rules()
    # an abbreviation that holds only before a number is one more literal per digit ("No. 5", "No.5"),
    # in the same single pass as the others
    abbreviations = rules.abbreviations + [f"{a}{space}{digit}" for a in rules.abbreviations_before_numbers
                                           for space in ("", " ") for digit in "0123456789"]
    abbreviations = [opener + a for a in abbreviations for opener in _WORD_OPENERS]
    protected_abbreviations = [a.replace(".", _PROTECT) for a in abbreviations]
    sample = pl.col("text").str.head(_STYLE_SAMPLE)
    lower_openings = sample.str.count_matches(r"[.!?][ \t]+\p{Ll}")
    lower_case = (lower_openings >= _LOWER_CASE_MIN) & (lower_openings > sample.str.count_matches(r"[.!?][ \t]+\p{Lu}"))
    protected = (pl.col("text").str.replace_many(abbreviations, protected_abbreviations)
                 .str.replace_all(_LIST_NUMBER, "${1}" + _PROTECT + "${2}"))
    # (both readings are computed, one kept: a pattern per row is not supported, and a pass costs about
    # 1% of an extraction)
    marked = (
        pl.when(lower_case)
        .then(protected.str.replace_all(_LOWER_CASE_BOUNDARY, "${1}" + _SPLIT + "${2}${3}"))
        .otherwise(protected.str.replace_all(_BOUNDARY, "${1}" + _SPLIT + "${2}${3}"))
        .str.replace_all("\n", "\n" + _SPLIT)
        .str.split(_SPLIT)
    )
    pieces = (
        documents.lazy()
        .select("doc_id", marked.alias("piece"))
        .explode("piece")
        .with_columns(pl.col("piece").str.len_chars().cast(pl.Int64).alias("_len"))
        .with_columns((pl.col("_len").cum_sum().over("doc_id") - pl.col("_len")).alias("_at"))
        .with_columns(
            pl.col("piece").str.extract(_LEADING_MARKER, 1).str.len_chars().fill_null(0).cast(pl.Int64).alias("_lead"),
            (pl.col("_len") - pl.col("piece").str.strip_chars_end().str.len_chars()).cast(pl.Int64).alias("_trail"),
            pl.col("piece").str.ends_with("\n").alias("is_line"),
            pl.col("piece").str.contains(rf"^\s*{_ITEM_MARKER}").alias("is_item"),     # a bullet or numbered item
        )
        .with_columns(
            (pl.col("_at") + pl.col("_lead")).alias("char_start"),
            (pl.col("_at") + pl.col("_len") - pl.col("_trail")).alias("char_end"),
        )
        .filter(pl.col("char_end") > pl.col("char_start"))
        .with_columns(
            pl.col("piece")
            .str.slice(pl.col("_lead"), pl.col("char_end") - pl.col("char_start"))
            .str.replace_all(_PROTECT, ".", literal=True)
            .alias("text")
        )
        .filter(pl.col("text").str.contains(r"[\p{L}\p{N}]"))
        .with_columns(
            pl.int_range(pl.len()).over("doc_id").cast(pl.Int32).alias("sentence_no"),
            fold_expr(pl.col("text")).alias("folded"),
            pl.col("text").str.ends_with("?").alias("is_question"),
        )
    )
    # doc_id keeps the caller's dtype (extraction numbers documents for cheaper joins)
    return pieces.select(list(SENTENCE_SCHEMA)).collect().cast({k: v for k, v in SENTENCE_SCHEMA.items() if k != "doc_id"})
