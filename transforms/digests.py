"""Per-document digests of claim and comparison rows: what a release's fingerprint and the gate's
"validated before" test are built from, in one streaming pass over the rows to publish.

A row's hash is the 128-bit XXH3 of its published columns (in name order, as length-prefixed text); a document's
digest is the sum of its rows' hashes in four 32-bit lanes (128 bits, no overflow) and its row count,
after the name of the scheme. A sum, unlike a sorted concatenation, needs no sort per document
(measured 2.5x faster on 4 million rows) and, unlike XOR, counts a repeated row. XXH3 is a frozen
specification, so a fingerprint can always be recomputed from the published files alone; it guards
against faults, not forgery, and hashed the 1.7 GB of row text of a 100,000-document release in
0.27 s against sha256's 1.9 (the digests as a whole: 3.1 -> 1.5-2.0 s). A digest made under another scheme (see
`is_current`) is never equal to one made under this one; the version's rows give it again.
"""

from __future__ import annotations

import hashlib

import polars as pl
import polars_hash as plh

DIGEST_SCHEMA = {"doc_id": pl.String, "digest": pl.String}
DIGEST_SCHEME = "xxh3-128-lp"  # lp: length-prefixed fields
# columns kept in the warehouse but not published: not part of what a digest vouches for
UNPUBLISHED_COLUMNS = {"n_mentions"}
_FIELD, _NULL = "\x1f", "\x00"
_LANES = 4
_LANE = 2 ** 32


def digested_columns(columns: list[str]) -> list[str]:
    return sorted(c for c in columns if c not in UNPUBLISHED_COLUMNS)


def document_digests(rows: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """(doc_id, digest) for every document with rows, from the rows themselves (any row order)."""
    columns = digested_columns(rows.collect_schema().names())
    # each field carries its length ("3:abc"), a null none: no field's text can pass for a boundary
    # ("" + "\x1f" and "\x1f" + "" were the same row text when fields were only separated)
    fields = [pl.col(c).cast(pl.String) for c in columns]
    row_text = pl.concat_str([pl.concat_str([f.str.len_bytes().cast(pl.String), pl.lit(":"), f]).fill_null(_NULL)
                              for f in fields], separator=_FIELD)
    row_hash = plh.col("_row").nchash.xxh3_128()
    # polars has no shift on 128-bit integers: a lane is a quotient by a power of two, modulo 2^32
    lanes = [((pl.col("_hash") // pl.lit(_LANE ** i, dtype=pl.UInt128)) % pl.lit(_LANE, dtype=pl.UInt128))
             .cast(pl.UInt64).alias(f"_lane{i}") for i in range(_LANES)]
    summed = [pl.col(f"_lane{i}").sum().alias(f"_lane{i}") for i in range(_LANES)]
    return (
        rows.lazy()
        .select("doc_id", row_text.alias("_row"))
        .select("doc_id", row_hash.alias("_hash"))
        .select("doc_id", *lanes)
        .group_by("doc_id")
        .agg(*summed, pl.len().alias("_rows"))
        .select("doc_id", pl.concat_str([pl.lit(DIGEST_SCHEME + ":"),
                                         pl.concat_str([pl.col(f"_lane{i}").cast(pl.String) for i in range(_LANES)]
                                                       + ["_rows"], separator=".")]).alias("digest"))
        .collect(engine="streaming")
        .cast(DIGEST_SCHEMA)
    )


def is_current(digests: pl.DataFrame) -> bool:
    """Whether every digest was made under this module's scheme (and can be compared with new ones)."""
    return bool(digests["digest"].str.starts_with(DIGEST_SCHEME + ":").all())


def digests_fingerprint(digests: pl.DataFrame) -> str:
    """sha256 of the (doc_id, digest) pairs in doc_id order: one table's rows, fingerprinted."""
    lines = digests.sort("doc_id").select(pl.concat_str("doc_id", pl.lit(" "), "digest"))
    return hashlib.sha256("\n".join(lines.to_series().to_list()).encode()).hexdigest()
