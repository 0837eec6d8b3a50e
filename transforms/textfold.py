"""Folding text for matching without losing character offsets.

The matcher works on bytes; evidence offsets are characters. Folding maps every character of the
normalised text to exactly one ASCII character (typographic quotes and dashes to their ASCII
twins, any other non-ASCII character to "_") and lower-cases it, so in the folded text byte
offsets *are* character offsets of the original.
"""

from __future__ import annotations

import polars as pl

# one character in, one ASCII character out
_FOLD_FROM = ["\u2019", "\u2018", "\u201b", "\u00b4", "`", "\u201c", "\u201d", "\u201e", "\u2013", "\u2014",
              "\u2010", "\u2011", "\u2012", "\u2212", "\u00a0", "\u2009", "\u202f", "\u2022", "\u00b7",
              "\u25aa", "\u2023", "\u25e6", "\u2026"]
_FOLD_TO = ["'", "'", "'", "'", "'", '"', '"', '"', "-", "-",
            "-", "-", "-", "-", " ", " ", " ", "*", "*",
            "*", "*", "*", "."]
_FOLD_TABLE = str.maketrans(dict(zip(_FOLD_FROM, _FOLD_TO)))


def fold_expr(text: pl.Expr, lowercase: bool = True) -> pl.Expr:
    """Polars expression: one ASCII character per character of `text`."""
    folded = text.str.replace_many(_FOLD_FROM, _FOLD_TO).str.replace_all(r"[^\x00-\x7f]", "_")
    return folded.str.to_lowercase() if lowercase else folded


def fold_phrase(phrase: str) -> str:
    """The same folding for one lexicon phrase (Python side, run once per ontology load)."""
    folded = phrase.translate(_FOLD_TABLE)
    folded = "".join(ch if ord(ch) < 128 else "_" for ch in folded)
    return " ".join(folded.lower().split())
