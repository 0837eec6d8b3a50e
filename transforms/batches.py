"""Splitting work into batches and putting batch results back together."""

from __future__ import annotations

import polars as pl


def chunked_frame(frame: pl.DataFrame, size: int) -> list[pl.DataFrame]:
    """Consecutive slices of at most `size` rows (one empty slice for an empty frame)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    return [frame.slice(offset, size) for offset in range(0, max(frame.height, 1), size)]


def concat_frames(frames: list[pl.DataFrame], schema: dict | None = None) -> pl.DataFrame:
    """Frames stacked; no frames give an empty frame of `schema`."""
    return pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame(schema=schema)
