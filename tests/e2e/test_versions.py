"""Versions readers can pin: MINOR on new data, diff, promote, readers, Frictionless, the card."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

from flows.refresh import refresh

NEW_DOCUMENT = ("Esketamine (Spravato) is an FDA-approved nasal spray for treatment-resistant depression. "
                "It can cause dissociation and dizziness.\n")


def _kvp(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory, seeds_dir):
    root = tmp_path_factory.mktemp("versions")
    corpus = root / "corpus"
    shutil.copytree(seeds_dir, corpus)
    home = root / "home"
    first = refresh(sources=[str(corpus)], home=str(home))
    (corpus / "new_spravato.txt").write_text(NEW_DOCUMENT)
    second = refresh(sources=[str(corpus)], home=str(home))
    return home, first, second


def test_new_document_is_a_minor_version_and_diff_lists_its_claims(two_versions):
    home, first, second = two_versions
    assert (first.version, second.version) == ("1.0.0", "1.1.0")
    assert (second.n_extracted, second.n_cached) == (1, 5)   # only the new document is extracted
    assert (first.n_files_read, second.n_files_read) == (5, 1)   # and only its file read
    result = _kvp("diff", "1.0.0", "--home", str(home), "--json")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)
    new_doc = pl.read_parquet(home / "published" / "1.1.0" / "documents.parquet").filter(
        pl.col("source") == "new_spravato.txt")["doc_id"].item()
    new_claims = pl.read_parquet(home / "published" / "1.1.0" / "claims.parquet").filter(pl.col("doc_id") == new_doc)
    assert changes["documents"]["added"] == 1 and changes["documents"]["removed"] == 0
    assert {r["claim_id"] for r in changes["claims"]["added_rows"]} == set(new_claims["claim_id"])
    assert changes["claims"]["removed"] == 0
    changes_file = json.loads((home / "published" / "1.1.0" / "changes.json").read_text())
    assert changes_file["claims"]["added"] == new_claims.height


def test_the_gate_checks_row_by_row_only_rows_not_validated_before(two_versions):
    home, first, second = two_versions
    first_gate, second_gate = (json.loads((home / "published" / v / "validation" / "summary.json").read_text())
                               for v in ("1.0.0", "1.1.0"))
    assert first_gate["validated_before"] is None and first_gate["rows_checked"]["claims"] == first.n_claims
    new_doc = pl.read_parquet(home / "published" / "1.1.0" / "documents.parquet").filter(
        pl.col("source") == "new_spravato.txt")["doc_id"].item()
    new_claims = pl.read_parquet(home / "published" / "1.1.0" / "claims.parquet").filter(pl.col("doc_id") == new_doc)
    assert second_gate["validated_before"] == "1.0.0"
    assert second_gate["rows_checked"]["claims"] == new_claims.height > 0
    assert second_gate["row_checks"] == first_gate["row_checks"]
    assert "were not checked row by row again" in (home / "published" / "1.1.0" / "README.md").read_text()


def test_promote_rolls_back_and_forward(two_versions):
    home, _, _ = two_versions
    assert _kvp("promote", "1.0.0", "--home", str(home)).returncode == 0
    catalog = json.loads((home / "published" / "catalog.json").read_text())
    assert catalog["latest"] == "1.0.0" and (home / "published" / "latest").resolve().name == "1.0.0"
    assert _kvp("promote", "1.1.0", "--home", str(home)).returncode == 0
    catalog = json.loads((home / "published" / "catalog.json").read_text())
    assert catalog["latest"] == "1.1.0"
    assert [h["action"] for h in catalog["history"]] == ["publish", "publish", "promote", "promote"]
    listing = _kvp("versions", "--home", str(home))
    assert "* 1.1.0" in listing.stdout and "1.0.0" in listing.stdout
    assert _kvp("promote", "7.7.7", "--home", str(home)).returncode == 2


def test_every_reader_opens_a_pinned_version(two_versions):
    home, _, _ = two_versions
    folder = home / "published" / "1.1.0"
    n = duckdb.sql(f"SELECT count(*) FROM '{folder}/claims.parquet'").fetchone()[0]
    assert pl.read_parquet(folder / "claims.parquet").height == n
    assert len(pd.read_parquet(folder / "claims.parquet")) == n
    assert pq.read_table(folder / "claims.parquet").num_rows == n
    assert pd.read_parquet(folder / "attributes.parquet")["allowed_values"].map(len).min() >= 1


def test_datapackage_passes_frictionless(two_versions):
    from frictionless import validate

    home, _, _ = two_versions
    report = validate(str(home / "published" / "1.1.0" / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])[:5]


def test_card_has_the_glance_table_and_chart(two_versions):
    home, _, _ = two_versions
    folder = home / "published" / "1.1.0"
    card = (folder / "README.md").read_text()
    assert "## The comparison at a glance" in card and "| attribute | Ketamine |" in card
    assert "![Support per therapy and attribute](support.svg)" in card
    assert "Not medical advice" in card
    svg = (folder / "support.svg").read_text()
    assert svg.startswith("<svg") and "Esketamine" in svg


def test_show_filters_a_table(two_versions):
    home, _, _ = two_versions
    result = _kvp("show", "claims", "--subject", "esketamine", "--format", "json", "--home", str(home))
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and {r["subject"] for r in rows} == {"esketamine"}
