"""The real flow on small corpora: the contract, idempotence and the gate keeping `latest`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.refresh import refresh
from transforms.digests import document_digests
from warehouse.home import Home
from warehouse.release import DIGESTED_TABLES, PUBLISHED_TABLES, data_fingerprint, kept_digests

CONTRACT = {
    "documents": ["doc_id", "source", "title", "content_type", "n_chars", "retrieved_at"],
    "claims": ["claim_id", "doc_id", "subject", "attribute", "value", "negated", "hedged", "evidence",
               "char_start", "char_end", "extractor_version"],
    "comparisons": ["comparison_id", "doc_id", "subject", "attribute", "relation", "object", "negated", "hedged",
                    "evidence", "char_start", "char_end", "extractor_version"],
    "comparison_matrix": ["subject", "attribute", "value", "n_documents", "n_claims", "share_hedged",
                          "n_documents_negating", "conflict"],
    "therapies": ["therapy_id", "label", "kind", "parent"],
    "attributes": ["attribute_id", "label", "description", "allowed_values"],
}


@pytest.fixture(scope="module")
def published_seeds(tmp_path_factory, seeds_dir):
    home = tmp_path_factory.mktemp("home")
    first = refresh(sources=[str(seeds_dir)], home=str(home))
    return home, first


def _catalog(home: Path) -> dict:
    return json.loads((home / "published" / "catalog.json").read_text())


def test_first_refresh_publishes_the_contract(published_seeds):
    home, summary = published_seeds
    assert summary.outcome == "published" and summary.version == "1.0.0"
    folder = home / "published" / "1.0.0"
    con = duckdb.connect()
    for table, columns in CONTRACT.items():
        found = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{folder / table}.parquet'").fetchall()]
        assert set(columns) <= set(found), table
    assert con.execute(f"SELECT count(*) FROM '{folder}/documents.parquet'").fetchone()[0] == 5
    assert con.execute(f"SELECT count(*) FROM '{folder}/claims.parquet'").fetchone()[0] > 100
    for name in ("datapackage.json", "README.md", "CHANGES.md", "changes.json", "validation/summary.json",
                 "validation/report.html"):
        assert (folder / name).exists(), name
    assert _catalog(home)["latest"] == "1.0.0"


def test_every_evidence_equals_the_document_text(published_seeds):
    home, _ = published_seeds
    folder = home / "published" / "1.0.0"
    warehouse = duckdb.connect(str(Home(home).warehouse), read_only=True)
    for table in ("claims", "comparisons"):
        rows = warehouse.execute(
            f"SELECT p.evidence, p.char_start, p.char_end, d.text FROM '{folder}/{table}.parquet' p "
            "JOIN documents d USING (doc_id)").fetchall()
        assert rows
        for evidence, start, end, text in rows:
            assert text[start:end] == evidence
    warehouse.close()


def test_the_recorded_fingerprint_is_that_of_the_published_files_and_digests_are_kept(published_seeds):
    """The refresh fingerprints from digests it keeps; the published files alone must give the same."""
    home, summary = published_seeds
    folder = home / "published" / summary.version
    tables = {name: pl.read_parquet(folder / f"{name}.parquet") for name in PUBLISHED_TABLES}
    assert data_fingerprint(tables) == _catalog(home)["versions"][0]["data_fingerprint"]
    kept = pl.read_parquet(folder / "validation" / "document_digests.parquet")
    for name in DIGESTED_TABLES:
        from_rows = document_digests(tables[name]).sort("doc_id")
        assert kept.filter(pl.col("table") == name).drop("table").sort("doc_id").equals(from_rows), name


def test_a_version_digested_under_an_older_scheme_is_compared_by_its_rows(tmp_path, seeds_dir):
    """Digests kept under another scheme are recomputed from the version's rows, and its recorded
    fingerprint restated: the same data refreshed again publishes nothing."""
    home = tmp_path / "home"
    first = refresh(sources=[str(seeds_dir)], home=str(home))
    folder = home / "published" / first.version
    kept_file = folder / "validation" / "document_digests.parquet"
    current = pl.read_parquet(kept_file)
    kept_file.chmod(0o644)
    current.with_columns(pl.col("digest").str.replace(r"^[^:]+:", "")).write_parquet(kept_file)   # no scheme named
    catalog = _catalog(home)
    entry = catalog["versions"][0]
    entry.pop("digest_scheme")
    entry["data_fingerprint"] = "0" * 64                      # as an older scheme gave it
    (home / "published" / "catalog.json").write_text(json.dumps(catalog))

    for name in DIGESTED_TABLES:
        assert kept_digests(folder)[name].sort("doc_id").equals(
            current.filter(pl.col("table") == name).drop("table").sort("doc_id")), name
    again = refresh(sources=[str(seeds_dir)], home=str(home), force=True)
    assert (again.outcome, again.version) == ("unchanged", first.version)
    assert [v["version"] for v in _catalog(home)["versions"]] == [first.version]


def test_unchanged_refresh_publishes_nothing(published_seeds, seeds_dir):
    home, _ = published_seeds
    again = refresh(sources=[str(seeds_dir)], home=str(home))
    assert again.outcome == "unchanged" and again.version == "1.0.0"
    assert (again.n_extracted, again.n_cached) == (0, 5)   # nothing new: extraction comes from the cache
    assert [v["version"] for v in _catalog(home)["versions"]] == ["1.0.0"]


def test_unchanged_inputs_are_not_read_again_and_keep_their_quarantine(tmp_path, seeds_dir):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir, corpus)
    (corpus / "empty.txt").write_text("")
    home = tmp_path / "home"
    first = refresh(sources=[str(corpus)], home=str(home))
    same = refresh(sources=[str(corpus)], home=str(home))
    assert first.outcome == "published" and same.outcome == "unchanged" and same.validation == "skipped"
    assert "clean" not in same.stage_seconds and "extract" not in same.stage_seconds   # nothing was read
    assert (same.n_documents, same.n_claims, same.n_quarantined) == (first.n_documents, first.n_claims, 1)
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    latest_quarantine = con.execute("SELECT source FROM quarantine WHERE run_id = ?", [same.run_id]).fetchall()
    con.close()
    assert latest_quarantine == [("empty.txt",)]
    touched = sorted(corpus.glob("*.txt"))[0]
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    reread = refresh(sources=[str(corpus)], home=str(home))        # a newer file: read, found identical
    assert reread.outcome == "unchanged" and "clean" in reread.stage_seconds and reread.n_extracted == 0
    assert reread.n_files_read == 1                                # only that file


def _claims_and_furniture(home: Path, run_id: str) -> tuple[list, list, list]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        claims = con.execute("SELECT claim_id, doc_id, value, char_start FROM claims ORDER BY claim_id").fetchall()
        furniture = con.execute("SELECT rule, lines_dropped FROM furniture WHERE run_id = ? AND lines_dropped > 0 "
                                "ORDER BY rule", [run_id]).fetchall()
        quarantine = con.execute("SELECT source, reason FROM quarantine WHERE run_id = ? ORDER BY source",
                                 [run_id]).fetchall()
        documents = con.execute("SELECT doc_id, source, n_chars, md5(text) FROM documents ORDER BY doc_id").fetchall()
    finally:
        con.close()
    return claims, furniture, quarantine, documents


def test_only_new_and_changed_files_are_read_and_the_result_equals_reading_everything(tmp_path, seeds_dir):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir, corpus)
    (corpus / "junk.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "with_furniture.txt").write_text("Advertisement\nKetamine is an anesthetic.\nShare this article\n")
    seeds = sorted(corpus.glob("0*.txt"))
    article = seeds[2].read_text()          # a syndicated copy, read once: identity is settled without its text
    (corpus / "syndicated.txt").write_text("Reposted from Health Daily\n\n" + article.replace("\n\n", "\n"))
    home = tmp_path / "home"
    first = refresh(sources=[str(corpus)], home=str(home))
    with open(seeds[0], "a") as handle:
        handle.write("\nPsilocybin is a Schedule I drug.\n")
    seeds[1].unlink()
    (corpus / "new.txt").write_text("Lexapro can cause nausea.\n")
    shutil.copy(seeds[3], corpus / "same_as_a_seed.txt")      # a new exact copy of a document read before
    second = refresh(sources=[str(corpus)], home=str(home))
    assert (first.n_files_read, second.n_files_read) == (8, 3)       # the changed file and the new ones
    assert (first.n_evicted, second.n_evicted) == (0, 2)   # the cache lets go of the edited and the removed seed
    assert second.outcome == "published" and second.n_documents == first.n_documents
    everything = refresh(sources=[str(corpus)], home=str(tmp_path / "fresh"))
    assert everything.n_files_read == 9
    assert _claims_and_furniture(home, second.run_id) == _claims_and_furniture(tmp_path / "fresh", everything.run_id)
    _, furniture, quarantine, _ = _claims_and_furniture(home, second.run_id)
    assert furniture and ("junk.txt", "binary") in quarantine      # kept for the files not read again
    assert {("syndicated.txt", "near_duplicate"), ("same_as_a_seed.txt", "duplicate")} <= set(quarantine)
    forced = refresh(sources=[str(corpus)], home=str(home), force=True)
    assert forced.n_files_read == 9
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    remembered = {Path(p).name for (p,) in con.execute("SELECT path FROM read_files").fetchall()}
    con.close()
    assert remembered == {p.name for p in corpus.iterdir()}        # the removed file's read is forgotten


def test_failed_gate_keeps_latest_and_accepting_publishes(tmp_path, seeds_dir):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir, corpus)
    home = tmp_path / "home"
    assert refresh(sources=[str(corpus)], home=str(home)).version == "1.0.0"
    for extra in sorted(corpus.iterdir())[1:]:
        extra.unlink()                    # one document left: claims fall far more than 20%
    blocked = refresh(sources=[str(corpus)], home=str(home))
    assert blocked.outcome == "blocked"
    assert any("regression.claims.no_large_drop" in f for f in blocked.failed_expectations)
    assert _catalog(home)["latest"] == "1.0.0"
    assert (home / "published" / "latest").resolve().name == "1.0.0"
    accepted = refresh(sources=[str(corpus)], home=str(home), accept_changes="corpus trimmed on purpose")
    assert accepted.outcome == "published" and accepted.version == "1.1.0"
    entry = _catalog(home)["versions"][-1]
    assert entry["accepted_changes"] == "corpus trimmed on purpose"


def test_bad_documents_are_quarantined_and_the_run_goes_on(tmp_path, seeds_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(sorted(seeds_dir.iterdir())[0], corpus / "good.txt")
    (corpus / "empty.txt").write_text("  \n")
    (corpus / "junk.txt").write_bytes(b"\x00\xff\x00binary")
    summary = refresh(sources=[str(corpus)], home=str(tmp_path / "home"))
    assert summary.outcome == "published"
    assert summary.n_documents == 1
    assert {q["source"]: q["reason"] for q in summary.quarantine} == {"empty.txt": "empty", "junk.txt": "binary"}
    listed = subprocess.run([sys.executable, "-m", "flows.cli", "quarantine", "--home", str(tmp_path / "home"),
                             "--json"], capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert {r["source"]: r["reason"] for r in json.loads(listed.stdout)} == {"empty.txt": "empty", "junk.txt": "binary"}


def test_a_new_extractor_version_replaces_every_claim_and_keeps_what_it_finds(tmp_path, seeds_dir, monkeypatch):
    import polars as pl

    import transforms.extract as extraction_module

    home = tmp_path / "home"
    first = refresh(sources=[str(seeds_dir)], home=str(home))
    real = extraction_module.extractor_version
    monkeypatch.setattr(extraction_module, "extractor_version", lambda sha: "next-" + real(sha))
    second = refresh(sources=[str(seeds_dir)], home=str(home))
    assert second.outcome == "published" and second.n_extracted == first.n_documents
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    versions = {table: {v for (v,) in con.execute(f"SELECT DISTINCT extractor_version FROM {table}").fetchall()}
                for table in ("claims", "comparisons", "cached_claims", "cached_comparisons", "extracted_documents")}
    con.close()
    # the old version's results were evicted from the cache once no document used them
    assert all(found and all(v.startswith("next-") for v in found) for found in versions.values())
    assert second.n_evicted == first.n_documents
    published = [pl.read_parquet(Path(run.path) / "claims.parquet").drop("extractor_version")
                 for run in (first, second)]
    assert published[0].equals(published[1])
