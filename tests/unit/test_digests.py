"""Per-document digests: what a release's fingerprint rests on, so they must see every published change."""

from __future__ import annotations

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from transforms.digests import digests_fingerprint, document_digests

ROWS = pl.DataFrame({
    "claim_id": ["c1", "c2", "c3"], "doc_id": ["d1", "d1", "d2"], "value": ["hours", "days", None],
    "negated": [False, True, False], "char_start": [0, 10, 5], "n_mentions": [1, 2, 3],
})


def _fingerprint(rows: pl.DataFrame) -> str:
    return digests_fingerprint(document_digests(rows))


def test_one_digest_per_document_whatever_the_row_order():
    digests = document_digests(ROWS)
    assert sorted(digests["doc_id"]) == ["d1", "d2"]
    assert digests.sort("doc_id").equals(document_digests(ROWS.reverse()).sort("doc_id"))
    assert _fingerprint(ROWS) == _fingerprint(ROWS.reverse())


def test_a_change_to_any_published_column_changes_that_document_only():
    before = document_digests(ROWS).sort("doc_id")
    for column, value in (("value", "weeks"), ("negated", False), ("char_start", 11), ("claim_id", "c9")):
        changed = ROWS.with_columns(pl.when(pl.col("claim_id") == "c2").then(pl.lit(value)).otherwise(pl.col(column))
                                    .alias(column))
        after = document_digests(changed).sort("doc_id")
        assert after["digest"][0] != before["digest"][0], column
        assert after["digest"][1] == before["digest"][1], column


def test_a_null_is_not_an_empty_string_and_unpublished_counts_do_not_count():
    assert _fingerprint(ROWS.with_columns(pl.col("value").fill_null(""))) != _fingerprint(ROWS)
    assert _fingerprint(ROWS.with_columns(pl.col("n_mentions") * 10)) == _fingerprint(ROWS)


def test_a_row_moved_to_another_document_changes_the_fingerprint():
    moved = ROWS.with_columns(pl.when(pl.col("claim_id") == "c2").then(pl.lit("d2")).otherwise(pl.col("doc_id"))
                              .alias("doc_id"))
    assert _fingerprint(moved) != _fingerprint(ROWS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=12), min_size=2, max_size=2, unique=True))
@example(["", "\x1f"])     # the separator itself as a field's text (found by this test in CI)
def test_field_boundaries_cannot_be_shifted(values):
    """'a'+'bc' and 'ab'+'c' in two columns are different rows (fields are separated)."""
    a, b = values
    left = pl.DataFrame({"claim_id": ["c"], "doc_id": ["d"], "x": [a], "y": [b]})
    right = pl.DataFrame({"claim_id": ["c"], "doc_id": ["d"], "x": [b], "y": [a]})
    assert _fingerprint(left) != _fingerprint(right)


def test_repeated_rows_are_counted_not_cancelled():
    a, b, c = ROWS.row(0, named=True), ROWS.row(1, named=True), {**ROWS.row(1, named=True), "value": "weeks"}
    twice_b, twice_c = pl.DataFrame([a, b, b]), pl.DataFrame([a, c, c])
    assert _fingerprint(twice_b) != _fingerprint(twice_c)
    assert _fingerprint(pl.DataFrame([a, b, b, b])) != _fingerprint(pl.DataFrame([a, b]))
