"""A whole-table check sees only the rows its verdict depends on: the verdict and the unexpected count
are what GX finds on the whole table."""

from __future__ import annotations

import polars as pl
import pytest

from expectations.batches import SlicedTable
from expectations.gate import run_gate
from expectations.suites import CRITICAL, Check

CHECKS = [
    Check("t", "t.id.unique", "ExpectColumnValuesToBeUnique", {"column": "id"}, CRITICAL),
    Check("t", "t.key.unique", "ExpectCompoundColumnsToBeUnique", {"column_list": ["doc", "value"]}, CRITICAL),
    Check("t", "t.rows", "ExpectTableRowCountToBeBetween", {"min_value": 4, "max_value": 6}, CRITICAL),
    Check("t", "t.rows.exact", "ExpectTableRowCountToEqual", {"value": 5}, CRITICAL),
    Check("t", "t.values", "ExpectColumnDistinctValuesToContainSet", {"column": "value", "value_set": ["a", "b"]},
          CRITICAL),
    Check("t", "t.flag.mean", "ExpectColumnMeanToBeBetween", {"column": "flag", "max_value": 0.5}, CRITICAL),
]

FRAMES = {
    "clean": {"id": [1, 2, 3, 4, 5], "doc": ["x", "x", "y", "y", "z"], "value": ["a", "b", "a", "b", "a"],
              "flag": [True, False, False, False, True]},
    "duplicates": {"id": [1, 1, 2, 3, 3, 3], "doc": ["x", "x", "y", "y", "z", "z"],
                   "value": ["a", "a", "c", "c", "c", "d"], "flag": [True, True, True, False, True, False]},
    "nulls": {"id": [1, None, None, 2], "doc": ["x", None, None, "x"], "value": [None, None, None, "a"],
              "flag": [False, False, True, False]},
    "empty": {"id": [], "doc": [], "value": [], "flag": []},
    # a mean exactly at the bound, and one just above it
    "mean_at_bound": {"id": [1, 2, 3, 4], "doc": ["x", "x", "y", "y"], "value": ["a", "b", "a", "b"],
                      "flag": [True, False, True, False]},
    "mean_above_bound": {"id": [1, 2, 3, 4, 5, 6, 7], "doc": list("xxxyyyz"), "value": list("abababa"),
                         "flag": [True, False, True, False, True, False, True]},
}


def _verdicts(result) -> set[tuple]:
    return {(o.name, o.success, o.unexpected_count) for o in result.outcomes}


@pytest.mark.parametrize("case", sorted(FRAMES))
def test_each_whole_table_check_reaches_the_verdict_it_reaches_on_the_whole_table(case):
    frame = pl.DataFrame(FRAMES[case], schema={"id": pl.Int64, "doc": pl.String, "value": pl.String,
                                               "flag": pl.Boolean})
    on_whole = run_gate({"t": frame.to_pandas()}, CHECKS)
    reduced = run_gate({"t": SlicedTable(whole=frame, slices=lambda: iter(()))}, CHECKS)
    assert _verdicts(reduced) == _verdicts(on_whole)
    # a lazy scan (the staged claims) is reduced without being held whole
    assert _verdicts(run_gate({"t": SlicedTable(whole=frame.lazy(), slices=lambda: iter(()))}, CHECKS)) == _verdicts(on_whole)
    if case == "duplicates":
        assert not reduced.success and {("t.id.unique", False, 5), ("t.key.unique", False, 4)} <= _verdicts(reduced)
