"""Stable row ids: sha256 of the row's key, so a claim keeps its id across runs and versions."""

from __future__ import annotations

import hashlib

import polars as pl

_SEPARATOR = "\x1f"


def stable_ids(frame: pl.DataFrame, key: list[str], length: int = 32) -> pl.Series:
    """Hex sha256 prefix of the key columns joined by a unit separator (hashlib: stable everywhere)."""
    joined = frame.select(
        pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in key], separator=_SEPARATOR)
    ).to_series()
    return pl.Series([hashlib.sha256(k.encode()).hexdigest()[:length] for k in joined], dtype=pl.String)
