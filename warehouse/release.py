"""The tables a version publishes, read from the warehouse, and their fingerprints."""

from __future__ import annotations

import hashlib
import io
import weakref
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from transforms.digests import DIGEST_SCHEMA, digests_fingerprint, document_digests, is_current
from transforms.ontology import Ontology
from transforms.summarise import attributes_table, comparison_matrix, therapies_table
from warehouse.store import read_table

PUBLISHED_TABLES = ("documents", "claims", "comparisons", "comparison_matrix", "therapies", "attributes")
TABLE_KEYS = {
    "documents": ["doc_id"],
    "claims": ["claim_id"],
    "comparisons": ["comparison_id"],
    "comparison_matrix": ["subject", "attribute", "value"],
    "therapies": ["therapy_id"],
    "attributes": ["attribute_id"],
}
# tables fingerprinted per document: see transforms.digests
DIGESTED_TABLES = ("claims", "comparisons")
# where a version keeps its per-document digests: (table, doc_id, digest)
DIGESTS_FILE = "validation/document_digests.parquet"
# run-time stamps: a refresh that differs only in these has not changed the data
VOLATILE_COLUMNS = {"documents": ["retrieved_at"]}


# the one table that grows with every sentence: a release keeps it on disk and reads it in slices
STAGED_TABLE = "claims"
ROWS_PER_SLICE = 250_000

Table = pl.DataFrame | pl.LazyFrame

# staged tables by id: (the frame, weakly; the file it scans), so publishing can copy the file
_STAGED_FILES: dict[int, tuple[weakref.ref, Path]] = {}


def scan_staged(path: Path) -> pl.LazyFrame:
    """A lazy scan of a staged Parquet file, remembered as such (see `staged_file`)."""
    frame = pl.scan_parquet(path)
    _STAGED_FILES[id(frame)] = (weakref.ref(frame, lambda _, key=id(frame): _STAGED_FILES.pop(key, None)), path)
    return frame


def staged_file(frame: Table) -> Path | None:
    """The Parquet file `frame` is the unaltered staged scan of, if it is one: publishing copies that
    file instead of encoding the rows again. Any other frame (filtered, edited, in memory): None."""
    entry = _STAGED_FILES.get(id(frame))
    if entry is None or entry[0]() is not frame or not entry[1].exists():
        return None
    return entry[1]


def release_tables(con: duckdb.DuckDBPyConnection, ontology: Ontology, staging: Path) -> dict[str, Table]:
    """The six published tables, as the warehouse holds them now (document text excluded).

    Claims are written by DuckDB to `staging/claims.parquet` in no particular row order and returned as a
    lazy scan: a release never holds them in memory; everything downstream reads them in slices.
    """
    staging.mkdir(parents=True, exist_ok=True)
    staged = staging / f"{STAGED_TABLE}.parquet"
    quoted = str(staged).replace("'", "''")
    # unsorted, and with DuckDB free to write rows as its threads produce them: at 100,000 documents the
    # copy of the 4.4 million rows took 6-8 s sorted by (doc_id, claim_id), 3.5-4 s in insertion order and
    # 2.4-2.6 s so. Nothing depends on row order: fingerprints, digests and diffs are order-free, the card and
    # the matrix aggregate, and a published file is read as it is (its bytes are hashed in datapackage.json).
    # zstd at level 1, not DuckDB's default 3: the same 4.4 million rows in 2.9-3.5 s instead of 4.3, and a
    # file 3% smaller (115 MB against 118; snappy: 3.0 s and 209 MB)
    con.execute("SET preserve_insertion_order = false")
    try:
        con.execute(f"COPY (SELECT * EXCLUDE (n_mentions) FROM {STAGED_TABLE}) TO '{quoted}' "
                    f"(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE {ROWS_PER_SLICE})")
    finally:
        con.execute("RESET preserve_insertion_order")
    # sorted by polars, not DuckDB: 337,000 comparisons of 100,000 documents in 0.03 s instead of 0.45
    documents = read_table(con, "SELECT doc_id, source, title, content_type, url, published, n_chars, retrieved_at "
                                "FROM documents").sort("doc_id")
    claims = scan_staged(staged)
    comparisons = read_table(con, "SELECT * EXCLUDE (n_mentions) FROM comparisons").sort("comparison_id")
    return {
        "documents": documents,
        "claims": claims,
        "comparisons": comparisons,
        "comparison_matrix": comparison_matrix(claims),
        "therapies": therapies_table(ontology),
        "attributes": attributes_table(ontology),
    }


def row_count(frame: Table) -> int:
    return frame.height if isinstance(frame, pl.DataFrame) else frame.select(pl.len()).collect().item()


def schema_of_table(frame: Table) -> pl.Schema:
    return frame.schema if isinstance(frame, pl.DataFrame) else frame.collect_schema()


def slices(frame: Table, rows: int | None = None) -> Iterator[pl.DataFrame]:
    """The rows in consecutive slices (at least one, possibly empty): bounded memory for a lazy scan."""
    if isinstance(frame, pl.DataFrame):
        yield frame
        return
    rows = rows or ROWS_PER_SLICE
    offset = 0
    while True:
        part = frame.slice(offset, rows).collect()
        if part.height or offset == 0:
            yield part
        if part.height < rows:
            return
        offset += rows


def canonical(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with volatile columns dropped and rows in key order: what a fingerprint sees."""
    stable = frame.drop([c for c in VOLATILE_COLUMNS.get(name, []) if c in frame.columns])
    return stable.sort(TABLE_KEYS[name])


def table_fingerprint(name: str, frame: Table, digests: pl.DataFrame | None = None) -> str:
    """sha256 of the table's canonical rows, independent of row order and Parquet encoding.

    Claims and comparisons are fingerprinted from their per-document digests (`transforms.digests`),
    given (`digests`, see `release_digests`) or computed here from the rows in one streaming pass.
    The other tables are small: their canonical NDJSON text is hashed."""
    if name in DIGESTED_TABLES:
        return digests_fingerprint(document_digests(frame) if digests is None else digests)
    rows = frame if isinstance(frame, pl.DataFrame) else frame.collect()
    return hashlib.sha256(_ndjson(canonical(name, rows))).hexdigest()


def release_digests(tables: dict[str, Table]) -> dict[str, pl.DataFrame]:
    """Per-document digests of the tables fingerprinted per document, from the rows to publish (never
    from what produced them: a fault between the extraction cache and the release must change them):
    computed once per release for the fingerprint, the gate's settled documents, the diff against the
    previous version and the version's own record."""
    return {name: document_digests(tables[name]) for name in DIGESTED_TABLES}


def digests_file(digests: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """What a version keeps in `DIGESTS_FILE`: (table, doc_id, digest)."""
    return pl.concat([frame.select(pl.lit(name).alias("table"), *DIGEST_SCHEMA) for name, frame in digests.items()])


def kept_digests(folder: Path) -> dict[str, pl.DataFrame]:
    """A published version's per-document digests, per table: from its `DIGESTS_FILE`, or from its own
    rows when it has none or keeps them under an older scheme (`transforms.digests.is_current`)."""
    path = folder / DIGESTS_FILE
    if path.exists():
        stored = pl.read_parquet(path)
        kept = {name: stored.filter(pl.col("table") == name).select(list(DIGEST_SCHEMA)) for name in DIGESTED_TABLES}
        if all(is_current(frame) for frame in kept.values()):
            return kept
    return {name: document_digests(pl.scan_parquet(folder / f"{name}.parquet")) for name in DIGESTED_TABLES}


def unchanged_documents(before: dict[str, pl.DataFrame] | None, now: dict[str, pl.DataFrame] | None
                        ) -> dict[str, pl.DataFrame] | None:
    """Per digested table, the documents (doc_id) whose rows are the same in both sets of digests."""
    if before is None or now is None:
        return None
    return {name: now[name].join(before[name], on=["doc_id", "digest"], how="semi").select("doc_id")
            for name in DIGESTED_TABLES if name in before and name in now}


def _ndjson(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ndjson(buffer)
    return buffer.getvalue()


def data_fingerprint(tables: dict[str, Table], digests: dict[str, pl.DataFrame] | None = None) -> str:
    """One fingerprint over every published table (see `table_fingerprint`)."""
    digest = hashlib.sha256()
    for name in PUBLISHED_TABLES:
        table_print = table_fingerprint(name, tables[name], (digests or {}).get(name))
        digest.update(name.encode() + b"\0" + table_print.encode())
    return digest.hexdigest()


def schema_of(tables: dict[str, Table]) -> dict[str, dict[str, str]]:
    return {name: {col: str(dtype) for col, dtype in schema_of_table(tables[name]).items()}
            for name in PUBLISHED_TABLES}


def schema_fingerprint(tables: dict[str, pl.DataFrame]) -> str:
    text = repr(sorted((name, sorted(cols.items())) for name, cols in schema_of(tables).items()))
    return hashlib.sha256(text.encode()).hexdigest()
