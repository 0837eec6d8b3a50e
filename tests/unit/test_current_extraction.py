"""The warehouse's claims and comparisons are the cached results of the loaded documents under the
loaded extractor version, and warehouses that held them as tables open with them as views."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl

from transforms.extract import extract
from warehouse.cache import evict_unused, store_extraction
from warehouse.store import connect, load_refresh, start_run

TEXTS = {"a": "Ketamine works within hours. Unlike SSRIs, ketamine acts fast.",
         "b": "Psilocybin may cause nausea.",
         "c": "MDMA is given in a clinic. MDMA works faster than SSRIs."}


def _documents(names: list[str]) -> pl.DataFrame:
    now = datetime.now(UTC)
    return pl.DataFrame([{"doc_id": f"doc-{n}", "source": f"{n}.txt", "origin": "in", "title": None,
                          "content_type": "text/plain", "url": None, "published": None, "n_chars": len(TEXTS[n]),
                          "retrieved_at": now, "text": TEXTS[n]} for n in names]).cast(
        {"title": pl.String, "url": pl.String, "published": pl.String})


def _store(con: duckdb.DuckDBPyConnection, names: list[str], version: str) -> pl.DataFrame:
    documents = _documents(names)
    extraction = extract(documents.select("doc_id", "text"))
    claims = extraction.claims.with_columns(pl.lit(version).alias("extractor_version"))
    comparisons = extraction.comparisons.with_columns(pl.lit(version).alias("extractor_version"))
    store_extraction(con, documents.select("doc_id"), claims, comparisons, version)
    return claims


def _load(con: duckdb.DuckDBPyConnection, names: list[str], version: str, run_id: str) -> tuple[int, int]:
    start_run(con, run_id)
    quarantine = pl.DataFrame(schema={"source": pl.String, "origin": pl.String, "reason": pl.String,
                                      "detail": pl.String, "doc_id": pl.String,
                                      "quarantined_at": pl.Datetime("us", "UTC")})
    furniture = pl.DataFrame(schema={"rule": pl.String, "lines_dropped": pl.Int64})
    return load_refresh(con, run_id, _documents(names), quarantine, furniture, version)


def test_claims_follow_the_loaded_documents_and_extractor_version(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        old = _store(con, ["a", "b", "c"], "x-old")
        new = _store(con, ["a", "b", "c"], "x-new")
        n_claims, n_comparisons = _load(con, ["a", "b"], "x-old", "r1")
        loaded = con.execute("SELECT claim_id, extractor_version FROM claims ORDER BY claim_id").fetchall()
        expected = old.filter(pl.col("doc_id").is_in(["doc-a", "doc-b"])).sort("claim_id")
        assert loaded == list(expected.select("claim_id", "extractor_version").iter_rows())
        assert n_claims == expected.height
        assert n_comparisons == con.execute("SELECT count(*) FROM comparisons").fetchone()[0] > 0
        # another version and another set of documents: the views follow without a copy
        _load(con, ["b", "c"], "x-new", "r2")
        loaded = con.execute("SELECT doc_id, extractor_version FROM claims").pl()
        assert set(loaded["doc_id"]) == {"doc-b", "doc-c"} and set(loaded["extractor_version"]) == {"x-new"}
        assert loaded.height == new.filter(pl.col("doc_id") != "doc-a").height
        assert set(con.execute("SELECT doc_id FROM comparisons").pl()["doc_id"]) == {"doc-c"}


def test_a_warehouse_with_claims_tables_opens_with_views(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:       # the layout of warehouses before the views
        con.execute("CREATE TABLE claims (claim_id VARCHAR, doc_id VARCHAR, extractor_version VARCHAR)")
        con.execute("CREATE TABLE comparisons (comparison_id VARCHAR, doc_id VARCHAR, extractor_version VARCHAR)")
        con.execute("INSERT INTO claims VALUES ('c1', 'doc-a', 'x-old')")
    with connect(path) as con:
        kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables "
                                 "WHERE table_name IN ('claims', 'comparisons')").fetchall())
        assert kinds == {"claims": "VIEW", "comparisons": "VIEW"}
        _store(con, ["a"], "x-1")
        _load(con, ["a"], "x-1", "r1")
        assert con.execute("SELECT count(*) FROM claims").fetchone()[0] > 0
    with connect(path) as con:                    # and opens again as it is
        assert con.execute("SELECT count(*) FROM claims").fetchone()[0] > 0


def test_storing_a_document_again_replaces_its_results_and_no_other(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        _store(con, ["a", "c"], "x-1")
        _store(con, ["b"], "x-1")                  # none of these stored before: nothing replaced
        again = _store(con, ["c"], "x-1")          # stored before: replaced, not doubled
        cached = dict(con.execute("SELECT doc_id, count(*) FROM cached_claims GROUP BY doc_id").fetchall())
        assert cached["doc-c"] == again.height and set(cached) == {"doc-a", "doc-b", "doc-c"}
        assert con.execute("SELECT count(*) FROM cached_comparisons WHERE doc_id = 'doc-c'").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM extracted_documents").fetchone()[0] == 3


def _cached_documents(con: duckdb.DuckDBPyConnection) -> dict[str, set[tuple[str, str]]]:
    return {table: set(con.execute(f"SELECT DISTINCT doc_id, extractor_version FROM {table}").fetchall())
            for table in ("extracted_documents", "cached_claims", "cached_comparisons")}


def test_eviction_drops_what_the_loaded_corpus_does_not_use_and_nothing_it_does(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        _store(con, ["a", "b", "c"], "x-old")
        _store(con, ["a", "b", "c"], "x-new")
        _load(con, ["a", "c"], "x-new", "r1")
        published = con.execute("SELECT * FROM claims ORDER BY claim_id").fetchall()
        # used: a and c under x-new; unused: b under x-new, and everything under x-old
        assert evict_unused(con, "x-new", at_share=0.0) == 4
        assert _cached_documents(con) == {
            "extracted_documents": {("doc-a", "x-new"), ("doc-c", "x-new")},
            "cached_claims": {("doc-a", "x-new"), ("doc-c", "x-new")},
            "cached_comparisons": {("doc-a", "x-new"), ("doc-c", "x-new")}}
        assert con.execute("SELECT * FROM claims ORDER BY claim_id").fetchall() == published
        assert evict_unused(con, "x-new", at_share=0.0) == 0          # nothing left to evict


def test_eviction_waits_until_the_unused_entries_are_a_share_of_the_used(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        _store(con, ["a", "b", "c"], "x-1")
        _load(con, ["a", "b"], "x-1", "r1")                           # c unused: 1 against 2 used
        before = _cached_documents(con)
        assert evict_unused(con, "x-1", at_share=0.6) == 0
        assert _cached_documents(con) == before
        assert evict_unused(con, "x-1", at_share=0.5) == 1
        assert ("doc-c", "x-1") not in _cached_documents(con)["cached_claims"]
