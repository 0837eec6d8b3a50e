"""Stable row ids: sha256 of the row's key, so a claim keeps its id across runs and versions.

polars-hash computes the same sha256 as hashlib, vectorised (polars' own `hash` is not stable
across polars versions, so it cannot make ids).
"""

from __future__ import annotations

import polars as pl
import polars_hash as plh

_SEPARATOR = "\x1f"


def sha256_hex(texts: pl.Series) -> pl.Series:
    """Hex sha256 of each string's UTF-8 bytes."""
    return texts.to_frame("_text").select(plh.col("_text").chash.sha2_256()).to_series().alias(texts.name)


def stable_ids(frame: pl.DataFrame, key: list[str], length: int = 32) -> pl.Series:
    """Hex sha256 prefix of the key columns joined by a unit separator."""
    joined = frame.select(
        pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in key], separator=_SEPARATOR).alias("_key")
    )
    return joined.select(plh.col("_key").chash.sha2_256().str.head(length)).to_series()
