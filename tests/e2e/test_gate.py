"""The gate blocks each kind of corruption, names the failed expectation and keeps `latest`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import polars as pl
import pytest

import flows.refresh as refresh_module
from flows.refresh import refresh
from warehouse.release import row_count


def _duplicate_claim(t):
    t["claims"] = pl.concat([t["claims"], t["claims"].head(1)])


def _unknown_subject(t):
    t["claims"] = t["claims"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("unicorn")).otherwise(pl.col("subject")).alias("subject"))


def _value_not_allowed(t):
    t["claims"] = t["claims"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("route")).otherwise(pl.col("attribute")).alias("attribute"),
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("nausea")).otherwise(pl.col("value")).alias("value"))


def _evidence_off(t):
    t["claims"] = t["claims"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.col("char_start") + 1).otherwise(pl.col("char_start"))
        .alias("char_start"))


def _orphan_claim(t):
    t["claims"] = t["claims"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("f" * 64)).otherwise(pl.col("doc_id")).alias("doc_id"))


def _matrix_count_off(t):
    t["comparison_matrix"] = t["comparison_matrix"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.col("n_claims") + 1).otherwise(pl.col("n_claims"))
        .alias("n_claims"))


def _first_row(table: str, column: str, value):
    def corrupt(t):
        t[table] = t[table].with_columns(
            pl.when(pl.int_range(pl.len()) == 0).then(value).otherwise(pl.col(column)).alias(column))
    return corrupt


def _duplicate_comparison(t):
    t["comparisons"] = pl.concat([t["comparisons"], t["comparisons"].head(1)])


def _claims_drop(t):
    t["claims"] = t["claims"].head(int(row_count(t["claims"]) * 0.4))


CORRUPTIONS = [
    (_duplicate_claim, "claims.claim_id.unique"),
    (_unknown_subject, "claims.subject.in_ontology"),
    (_value_not_allowed, "claims.value.allowed_for_attribute"),
    (_evidence_off, "claims.evidence.matches_text"),
    (_orphan_claim, "claims.doc_id.published_document"),
    (_matrix_count_off, "comparison_matrix.n_claims.matches_claims"),
    (_claims_drop, "regression.claims.no_large_drop"),
    (_duplicate_comparison, "comparisons.comparison_id.unique"),
    (_first_row("comparisons", "relation", pl.lit("cheaper_than")), "comparisons.relation.in_vocabulary"),
    (_first_row("comparisons", "doc_id", pl.lit("e" * 64)), "comparisons.doc_id.published_document"),
    (_first_row("comparisons", "char_end", pl.col("char_end") - 1), "comparisons.evidence.matches_text"),
    (_first_row("documents", "doc_id", pl.lit("not-a-hash")), "documents.doc_id.sha256"),
    (_first_row("therapies", "therapy_id", pl.lit("unicorn")), "therapies.therapy_id.in_ontology"),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory, seeds_dir):
    home = tmp_path_factory.mktemp("gate-home")
    assert refresh(sources=[str(seeds_dir)], home=str(home)).version == "1.0.0"
    return home


def _latest(home) -> str:
    return json.loads((home / "published" / "catalog.json").read_text())["latest"]


@pytest.mark.parametrize("corrupt, expectation", CORRUPTIONS, ids=[e for _, e in CORRUPTIONS])
def test_corruption_is_blocked_and_named(home, seeds_dir, monkeypatch, corrupt, expectation):
    real = refresh_module.release_tables

    def corrupted(con, ontology, staging):
        tables = real(con, ontology, staging)
        corrupt(tables)
        return tables

    monkeypatch.setattr(refresh_module, "release_tables", corrupted)
    summary = refresh(sources=[str(seeds_dir)], home=str(home), force=True)   # same inputs: read them anyway
    assert summary.outcome == "blocked"
    assert any(expectation in failure for failure in summary.failed_expectations), summary.failed_expectations
    if "evidence" not in expectation:   # rows checked again read their documents' text: no false alarm
        assert not any("evidence.matches_text" in failure for failure in summary.failed_expectations)
    assert _latest(home) == "1.0.0"
    assert sorted(p.name for p in (home / "published").iterdir() if p.is_dir() and not p.is_symlink()) == ["1.0.0"]


def _kvp_validate(*args):
    return subprocess.run([sys.executable, "-m", "flows.cli", "validate", *args], capture_output=True, text=True,
                          timeout=300)


def test_published_folder_validates_and_a_tampered_copy_fails(home, tmp_path):
    good = _kvp_validate(str(home / "published" / "1.0.0"))
    assert good.returncode == 0, good.stdout + good.stderr
    copy = tmp_path / "downloaded"
    shutil.copytree(home / "published" / "1.0.0", copy)
    data = bytearray((copy / "claims.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "claims.parquet").write_bytes(bytes(data))
    tampered = _kvp_validate(str(copy), "--json")
    assert tampered.returncode == 1
    report = json.loads(tampered.stdout)
    assert any("claims.parquet" in p and "sha256" in p for p in report["package_problems"])


def test_validate_cannot_run_without_target(tmp_path):
    result = _kvp_validate("--home", str(tmp_path / "empty"))
    assert result.returncode == 2
    assert "no warehouse" in result.stderr
