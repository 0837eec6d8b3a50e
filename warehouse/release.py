"""The tables a version publishes, read from the warehouse, and their fingerprints."""

from __future__ import annotations

import hashlib
import io
import weakref
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb
import polars as pl

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

    Claims are written by DuckDB to `staging/claims.parquet` in claim_id order and returned as a lazy
    scan: a release never holds them in memory; everything downstream reads them in slices.
    """
    staging.mkdir(parents=True, exist_ok=True)
    staged = staging / f"{STAGED_TABLE}.parquet"
    quoted = str(staged).replace("'", "''")
    con.execute(f"COPY (SELECT * EXCLUDE (n_mentions) FROM {STAGED_TABLE} ORDER BY claim_id) TO '{quoted}' "
                f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROWS_PER_SLICE})")
    documents = read_table(con, "SELECT doc_id, source, title, content_type, url, published, n_chars, retrieved_at "
                                "FROM documents ORDER BY doc_id")
    claims = scan_staged(staged)
    comparisons = read_table(con, "SELECT * EXCLUDE (n_mentions) FROM comparisons ORDER BY comparison_id")
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


def table_fingerprint(name: str, frame: Table) -> str:
    """sha256 of the canonical rows (NDJSON text: independent of row order and Parquet encoding).

    A lazy table is read slice by slice when its rows come in key order (a staged table does), and
    sorted whole only when they do not. Slices are read and serialised on two threads while the
    digest takes them in order (polars and hashlib release the GIL): the digest is the same as one
    pass over the whole table."""
    if isinstance(frame, pl.DataFrame):
        return hashlib.sha256(_ndjson(canonical(name, frame))).hexdigest()
    digest = hashlib.sha256()
    last: list[tuple | None] = [None]

    def take(future: Future) -> bool:
        """Digest the next slice; False when it breaks key order."""
        ordered, rows_in_order, first, final = future.result()
        if not rows_in_order or (last[0] is not None and first is not None and first <= last[0]):
            return False
        last[0] = final if final is not None else last[0]
        digest.update(ordered)
        return True

    in_order = True
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="fingerprint") as pool:
        pending: deque[Future] = deque()
        for offset in range(0, max(row_count(frame), 1), ROWS_PER_SLICE):
            pending.append(pool.submit(_serialised_slice, name, frame, offset, ROWS_PER_SLICE))
            if len(pending) == 2:           # two slices in flight at most: memory stays bounded
                in_order = take(pending.popleft())
                if not in_order:
                    break
        while in_order and pending:
            in_order = take(pending.popleft())
    if not in_order:
        return hashlib.sha256(_ndjson(canonical(name, frame.collect()))).hexdigest()
    return digest.hexdigest()


def _serialised_slice(name: str, frame: pl.LazyFrame, offset: int, rows: int
                      ) -> tuple[bytes, bool, tuple | None, tuple | None]:
    """One slice's canonical NDJSON, whether its rows were already in key order, its first and last key."""
    part = frame.slice(offset, rows).collect()
    ordered = canonical(name, part)
    volatile = [c for c in VOLATILE_COLUMNS.get(name, []) if c in part.columns]
    keys = part.select(TABLE_KEYS[name])
    first, final = (keys.row(0), keys.row(-1)) if part.height else (None, None)
    return _ndjson(ordered), ordered.equals(part.drop(volatile)), first, final


def _ndjson(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ndjson(buffer)
    return buffer.getvalue()


def data_fingerprint(tables: dict[str, pl.DataFrame]) -> str:
    digest = hashlib.sha256()
    for name in PUBLISHED_TABLES:
        digest.update(name.encode() + b"\0" + table_fingerprint(name, tables[name]).encode())
    return digest.hexdigest()


def schema_of(tables: dict[str, Table]) -> dict[str, dict[str, str]]:
    return {name: {col: str(dtype) for col, dtype in schema_of_table(tables[name]).items()}
            for name in PUBLISHED_TABLES}


def schema_fingerprint(tables: dict[str, pl.DataFrame]) -> str:
    text = repr(sorted((name, sorted(cols.items())) for name, cols in schema_of(tables).items()))
    return hashlib.sha256(text.encode()).hexdigest()
