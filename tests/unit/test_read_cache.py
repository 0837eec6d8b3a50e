"""The read cache gives back exactly what reading gave, and never remembers a read it cannot place."""

from __future__ import annotations

import duckdb
import polars as pl

from transforms.clean import clean_batch
from transforms.ingest import discover, read_files
from warehouse.read_cache import cached_reads, store_reads, with_texts
from warehouse.store import SCHEMA_PATH


def _warehouse(tmp_path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(SCHEMA_PATH.read_text())
    return con


def test_a_read_comes_back_as_it_was_but_its_text_and_several_documents_of_one_file_are_placed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Advertisement\nKetamine is an anesthetic.\n")
    (folder / "records.jsonl").write_text('{"text": "Psilocybin is a psychedelic."}\n{"text": "MDMA helps PTSD."}\n')
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 8)
    files, _ = discover([folder])
    raw, unreadable = read_files(files)
    candidates, refused, furniture = clean_batch(raw)
    refused = pl.concat([unreadable, refused])
    con = _warehouse(tmp_path)
    store_reads(con, files, candidates, refused, furniture, "r-1")
    again = cached_reads(con, files, "r-1")
    assert again.to_read.is_empty()
    assert again.candidates["text"].null_count() == again.candidates.height   # the text stays in the cache
    assert again.candidates.drop("text").sort("source").equals(candidates.drop("text").sort("source"))
    assert with_texts(con, again.candidates).sort("source").equals(candidates.sort("source"))
    assert again.refused.select("source", "reason").rows() == refused.select("source", "reason").rows()
    assert again.furniture.equals(furniture)
    assert cached_reads(con, files, "r-2").to_read.height == 3          # other reading code: read again


def test_a_row_whose_file_cannot_be_told_is_not_remembered(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Ketamine is an anesthetic.\n")
    files, _ = discover([folder])
    raw, _ = read_files(files)
    candidates, refused, furniture = clean_batch(raw)
    con = _warehouse(tmp_path)
    store_reads(con, files, candidates.with_columns(pl.lit("elsewhere.txt").alias("source")), refused, furniture, "r-1")
    assert cached_reads(con, files, "r-1").to_read.height == 1
