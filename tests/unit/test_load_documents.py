"""Loading a refresh's documents writes only what differs, and never loses or doubles a text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import polars as pl
import pytest

from warehouse.store import _load_documents, connect, transaction

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _documents(texts: dict[str, str | None], retrieved_at: datetime = NOW, title: str = "t") -> pl.DataFrame:
    return pl.DataFrame({
        "doc_id": [f"id-{name}" for name in texts], "source": [f"{name}.txt" for name in texts],
        "origin": ["in"] * len(texts), "title": [title] * len(texts), "content_type": ["text/plain"] * len(texts),
        "url": [None] * len(texts), "published": [None] * len(texts),
        "n_chars": [len(t or "") for t in texts.values()], "retrieved_at": [retrieved_at] * len(texts),
        "text": list(texts.values()),
    }, schema_overrides={"url": pl.String, "published": pl.String, "text": pl.String})


def _table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.execute("SELECT doc_id, title, retrieved_at, text FROM documents ORDER BY doc_id").pl()


def _load(con: duckdb.DuckDBPyConnection, documents: pl.DataFrame) -> None:
    with transaction(con):
        _load_documents(con, documents)


def test_rows_are_inserted_redescribed_in_place_and_deleted(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        _load(con, _documents({"a": "alpha", "b": "beta", "c": "gamma"}))
        # every file read again (new retrieval time, a new title), one gone, one new
        later = NOW + timedelta(days=1)
        _load(con, _documents({"a": "alpha", "b": "beta", "d": "delta"}, retrieved_at=later, title="new"))
        table = _table(con)
        assert table["doc_id"].to_list() == ["id-a", "id-b", "id-d"]
        assert table["text"].to_list() == ["alpha", "beta", "delta"]
        assert set(table["title"]) == {"new"} and set(table["retrieved_at"]) == {later}


def test_a_known_document_without_text_keeps_its_text_and_a_new_one_takes_the_read_caches(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        _load(con, _documents({"a": "alpha"}))
        con.execute("INSERT INTO read_documents BY NAME SELECT 'e.txt' AS path, * REPLACE ('id-e' AS doc_id, "
                    "'epsilon' AS text) FROM documents")
        _load(con, _documents({"a": None, "e": None}))
        assert _table(con)["text"].to_list() == ["alpha", "epsilon"]


def test_a_new_document_whose_text_is_nowhere_fails_the_load_and_changes_nothing(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        _load(con, _documents({"a": "alpha"}))
        with pytest.raises(duckdb.ConstraintException):
            _load(con, _documents({"a": "alpha", "z": None}, title="new"))
        assert _table(con)["title"].to_list() == ["t"]
