"""A staged (lazy) claims table is fingerprinted and validated slice by slice, with the same results
as the whole table in memory."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest

import warehouse.release as release
from expectations.batches import ValidatedBefore, validation_frames
from transforms.digests import document_digests
from expectations.gate import run_gate, whole_table_columns
from expectations.suites import build_checks
from transforms.extract import extract
from transforms.ontology import default_ontology
from transforms.summarise import attributes_table, comparison_matrix, therapies_table

TEXTS = [
    "Ketamine works within hours. It can cause dissociation, nausea and dizziness. Esketamine is a nasal spray.",
    "Psilocybin may ease depression for months. SSRIs take weeks and can cause weight gain and insomnia.",
    "MDMA-assisted therapy is being studied for PTSD. LSD can cause hallucinations and anxiety.",
]


@pytest.fixture()
def tables(monkeypatch) -> dict:
    monkeypatch.setattr(release, "ROWS_PER_SLICE", 3)
    texts = {hashlib.sha256(t.encode()).hexdigest(): t for t in TEXTS}
    documents = pl.DataFrame({"doc_id": list(texts), "text": list(texts.values())})
    extraction = extract(documents)
    claims = extraction.claims.drop("n_mentions").sort("claim_id")
    assert claims.height > 6          # several slices
    return {
        "documents": documents.select("doc_id", pl.lit("test").alias("source"),
                                      pl.col("text").str.len_chars().cast(pl.Int64).alias("n_chars")),
        "claims": claims.lazy(),
        "comparisons": extraction.comparisons.drop("n_mentions"),
        "comparison_matrix": comparison_matrix(claims),
        "therapies": therapies_table(default_ontology()),
        "attributes": attributes_table(default_ontology()),
    }


def test_a_lazy_table_fingerprints_like_the_same_rows_in_memory(tables):
    lazy = tables["claims"]
    assert release.table_fingerprint("claims", lazy) == release.table_fingerprint("claims", lazy.collect())
    shuffled = lazy.collect().sample(fraction=1.0, shuffle=True, seed=1).lazy()     # out of key order
    assert release.table_fingerprint("claims", shuffled) == release.table_fingerprint("claims", lazy.collect())


def _gate(tables):
    checks = build_checks(default_ontology(), previous=None, with_text=False)
    return run_gate(validation_frames(tables, None, whole_table_columns(checks)), checks)


def test_row_checks_are_summed_over_slices_and_whole_table_checks_see_every_row(tables):
    assert _gate(tables).success
    claims = tables["claims"].collect()
    last = claims.height - 1
    bad = claims.with_columns(
        pl.when(pl.int_range(pl.len()) == last).then(pl.lit("unicorn")).otherwise(pl.col("subject")).alias("subject"),
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(-1, dtype=pl.Int64)).otherwise(pl.col("char_start"))
        .alias("char_start"))
    duplicated = pl.concat([bad, claims.tail(1)])            # the same claim_id in the first and the last slice
    result = _gate({**tables, "claims": duplicated.lazy()})
    failed = {o.name: o for o in result.failed}
    assert failed["claims.subject.in_ontology"].unexpected_count == 1
    assert failed["claims.char_start.non_negative"].unexpected_count == 1
    assert "claims.claim_id.unique" in failed
    assert sum(o.name == "claims.subject.in_ontology" for o in result.outcomes) == 1   # one outcome per check


def _validated(tables) -> ValidatedBefore:
    hashes = {name: document_digests(tables[name]) for name in release.DIGESTED_TABLES}
    return ValidatedBefore("1.0.0", tables["documents"].select("doc_id", "n_chars"), hashes)


def _gate_after(tables, before):
    checks = build_checks(default_ontology(), previous=None, with_text=False)
    return run_gate(validation_frames(tables, None, whole_table_columns(checks), before), checks,
                    validated_before=before.version)


def test_documents_validated_before_are_not_checked_again_but_changed_ones_are(tables):
    before = _validated(tables)
    unchanged = _gate_after(tables, before)
    assert unchanged.success and unchanged.rows_checked == {"claims": 0, "comparisons": 0}
    assert unchanged.validated_before == "1.0.0"

    claims = tables["claims"].collect()
    edited = claims.with_columns(       # one validated row edited in place, one row of a new document
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("unicorn")).otherwise(pl.col("subject")).alias("subject"))
    new_document = claims.head(1).with_columns(pl.lit("a" * 64).alias("doc_id"))
    result = _gate_after({**tables, "claims": pl.concat([edited, new_document]).lazy()}, before)
    # the edited row's document is checked again whole, the new document's row too, nothing else
    edited_document = claims["doc_id"][1]
    assert result.rows_checked["claims"] == claims.filter(pl.col("doc_id") == edited_document).height + 1 < claims.height
    failed = {o.name: o for o in result.failed}
    assert failed["claims.subject.in_ontology"].unexpected_count == 1
    assert failed["claims.doc_id.published_document"].unexpected_count == 1


def test_a_document_whose_text_changed_has_its_rows_checked_again(tables):
    before = _validated(tables)
    first = tables["claims"].collect()["doc_id"][0]
    documents = tables["documents"].with_columns(
        pl.when(pl.col("doc_id") == first).then(pl.col("n_chars") - 1).otherwise(pl.col("n_chars")).alias("n_chars"))
    result = _gate_after({**tables, "documents": documents}, before)
    n_rows = tables["claims"].collect().filter(pl.col("doc_id") == first).height
    assert result.rows_checked["claims"] == n_rows > 0


@pytest.mark.parametrize("repeat", ["a settled claim's id in a new document", "a claim twice in a new document",
                                    "a claim twice in an edited document"])
def test_a_repeated_key_is_found_when_only_changed_documents_are_checked(tables, repeat):
    """Uniqueness is checked from the changed documents' rows, trusting the settled ones were unique
    among themselves; a repeat involving any changed row counts as it does in a full check."""
    before = _validated(tables)
    claims = tables["claims"].collect()
    settled_row, edited_doc = claims.head(1), claims["doc_id"][-1]
    new_doc = "b" * 64
    if repeat == "a settled claim's id in a new document":
        extra = settled_row.with_columns(pl.lit(new_doc).alias("doc_id"), pl.lit("oral").alias("value"))
    elif repeat == "a claim twice in a new document":
        fresh = settled_row.with_columns(pl.lit(new_doc).alias("doc_id"), pl.lit("c" * 32).alias("claim_id"))
        extra = pl.concat([fresh, fresh])
    else:
        extra = claims.filter(pl.col("doc_id") == edited_doc).head(1)
    changed = {**tables, "claims": pl.concat([claims, extra]).lazy()}
    incremental, full = _gate_after(changed, before), _gate(changed)
    counts = lambda result: {o.name: o.unexpected_count for o in result.failed if o.name.endswith("unique")}
    assert counts(incremental) and counts(incremental) == counts(full)
    assert incremental.rows_checked["claims"] < claims.height


def test_a_staged_table_is_published_as_its_file_and_an_edited_one_is_written_anew(tables, tmp_path):
    from warehouse.publish import _write_parquet

    staged_path = tmp_path / "staged.parquet"
    tables["claims"].collect().write_parquet(staged_path, compression="zstd")
    staged = release.scan_staged(staged_path)
    assert release.staged_file(staged) == staged_path
    _write_parquet(staged, tmp_path / "copied.parquet")
    assert (tmp_path / "copied.parquet").read_bytes() == staged_path.read_bytes()

    edited = staged.head(2)
    assert release.staged_file(edited) is None and release.staged_file(tables["claims"]) is None
    _write_parquet(edited, tmp_path / "edited.parquet")
    assert pl.read_parquet(tmp_path / "edited.parquet").equals(staged.collect().head(2))


@pytest.mark.parametrize("n_settled", [0, 1, 2, 3])
def test_only_rows_of_unsettled_documents_are_sliced_from_a_staged_scan(tables, tmp_path, n_settled):
    """Of a lazy scan, only the slices holding unsettled rows are read; what they yield is exactly the
    unsettled rows, whatever the order of the rows in the file."""
    from expectations.batches import _unsettled_slices

    claims = tables["claims"].collect().sample(fraction=1.0, shuffle=True, seed=3)   # documents interleaved
    claims.write_parquet(tmp_path / "claims.parquet")
    scan = pl.scan_parquet(tmp_path / "claims.parquet")
    settled = tables["documents"].select("doc_id").head(n_settled)
    parts = list(_unsettled_slices(scan, settled))
    expected = claims.join(settled, on="doc_id", how="anti")
    assert parts, "at least one (possibly empty) slice"
    assert pl.concat(parts).sort("claim_id").equals(expected.sort("claim_id"))
    assert all(part.height <= release.ROWS_PER_SLICE for part in parts)
    assert list(_unsettled_slices(claims, settled))[0].sort("claim_id").equals(expected.sort("claim_id"))
