"""The validation gate: run the suites with Great Expectations on pandas batches and decide.

Critical checks block publishing; warnings publish and are listed in the dataset card;
regression checks are critical unless the operator accepted the change (recorded).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from expectations.suites import CRITICAL, REGRESSION, WARNING, Check

if TYPE_CHECKING:     # pandas is loaded by GX when a gate runs, not by every refresh that starts
    import pandas as pd
    from expectations.batches import SlicedTable

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
logging.getLogger("great_expectations").setLevel(logging.WARNING)


@dataclass
class Outcome:
    name: str
    table: str
    severity: str
    description: str
    success: bool
    unexpected_count: int | None = None
    observed: Any = None
    sample: list = field(default_factory=list)


@dataclass
class GateResult:
    success: bool
    outcomes: list[Outcome]
    accepted_changes: str | None
    gx_results: dict[str, dict]
    row_checks: str = ""                  # fingerprint of the row checks run (see row_checks_fingerprint)
    rows_checked: dict[str, int] = field(default_factory=dict)   # per sliced table: rows the row checks saw
    validated_before: str | None = None   # the version whose validated rows were not checked again

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == CRITICAL]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == WARNING]

    def summary(self) -> dict:
        return {
            "success": self.success,
            "n_expectations": len(self.outcomes),
            "failed": [asdict(o) for o in self.failed],
            "warnings": [f"{o.name}: {o.description}" for o in self.warnings],
            "accepted_changes": self.accepted_changes,
            "row_checks": self.row_checks,
            "rows_checked": self.rows_checked,
            "validated_before": self.validated_before,
            "outcomes": [asdict(o) for o in self.outcomes],
        }


def previous_statistics(version: str, claims: pl.DataFrame) -> dict[str, Any]:
    """What the regression checks compare against, from the latest published claims."""
    return {
        "version": version,
        "n_claims": claims.height,
        "subjects": sorted(claims["subject"].unique().to_list()),
        "share_hedged": float(claims["hedged"].mean() or 0.0),
        "share_negated": float(claims["negated"].mean() or 0.0),
    }


def import_in_background() -> threading.Thread:
    """Start importing Great Expectations (5-15 s of module loading) on a daemon thread, so that a
    refresh pays for it while it reads and extracts rather than before validating."""
    def load() -> None:
        import great_expectations  # noqa: F401
        import great_expectations.expectations  # noqa: F401

    thread = threading.Thread(target=load, name="gx-import", daemon=True)
    thread.start()
    atexit.register(thread.join, 120)     # never leave the interpreter mid-import
    return thread


def _skip_batch_fingerprints() -> None:
    """GX md5-hashes every pandas batch under 1 GB for its batch markers, which the gate never reads:
    over a 100,000-document release sliced into batches that was a third of validation. The
    threshold is a module constant of GX's pandas engine; if a GX upgrade drops it, nothing breaks."""
    from great_expectations.execution_engine import pandas_execution_engine

    if hasattr(pandas_execution_engine, "HASH_THRESHOLD"):
        pandas_execution_engine.HASH_THRESHOLD = 0


def _gx_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.WARNING)
    _skip_batch_fingerprints()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


# expectations about a table as a whole; the others hold row by row and can be checked slice by slice
WHOLE_TABLE_EXPECTATIONS = {"ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique",
                            "ExpectTableRowCountToBeBetween", "ExpectTableRowCountToEqual",
                            "ExpectColumnDistinctValuesToContainSet", "ExpectColumnMeanToBeBetween"}


def whole_table_columns(checks: list[Check]) -> dict[str, list[str]]:
    """Per table, the columns its whole-table checks read (what a sliced table keeps whole)."""
    columns: dict[str, list[str]] = {}
    for check in checks:
        if check.expectation in WHOLE_TABLE_EXPECTATIONS:
            used = [check.kwargs["column"]] if "column" in check.kwargs else check.kwargs.get("column_list", [])
            columns.setdefault(check.table, [])
            columns[check.table] += [c for c in used if c not in columns[check.table]]
    return columns


def row_checks_fingerprint(checks: list[Check]) -> str:
    """What a row's verdict depends on besides the row: the row checks (and the uniqueness checks, which
    trust that a validated document's keys were unique), the code deriving the columns they read, and
    GX's version. Rows validated under the same fingerprint need no second check."""
    from importlib.metadata import version

    from expectations.batches import UNIQUENESS_EXPECTATIONS

    rows = sorted(json.dumps(asdict(c), sort_keys=True, default=str) for c in checks
                  if c.expectation not in WHOLE_TABLE_EXPECTATIONS or c.expectation in UNIQUENESS_EXPECTATIONS)
    digest = hashlib.sha256("\n".join(rows).encode())
    digest.update((Path(__file__).parent / "batches.py").read_bytes())
    digest.update(version("great-expectations").encode())
    return digest.hexdigest()


def run_gate(frames: dict[str, pd.DataFrame | SlicedTable], checks: list[Check],
             accepted_changes: str | None = None, validated_before: str | None = None) -> GateResult:
    """Validate each table's batch against its suite; decide by severity.

    A sliced table is validated in two parts: each whole-table check on the part of its whole (narrow)
    frame its verdict depends on, its row checks on each slice, their outcomes summed per check.
    `validated_before` names the version whose validated rows the slices leave out (recorded with the
    result).
    """
    from expectations.batches import SlicedTable

    context = _gx_context()
    source = context.data_sources.add_pandas("kvp")
    outcomes: list[Outcome] = []
    gx_results: dict[str, dict] = {}
    rows_checked: dict[str, int] = {}
    for table in sorted({c.table for c in checks}):
        table_checks = [c for c in checks if c.table == table]
        frame = frames[table]
        if not isinstance(frame, SlicedTable):
            validate = _validator(context, source, table, table_checks, accepted_changes)
            found, gx_results[table] = validate(frame)
            outcomes += found
            continue
        whole = [c for c in table_checks if c.expectation in WHOLE_TABLE_EXPECTATIONS]
        rows = [c for c in table_checks if c.expectation not in WHOLE_TABLE_EXPECTATIONS]
        if whole:
            gx_results[table] = {}
            for check in whole:
                validate = _validator(context, source, f"whole.{check.name}", [check], accepted_changes)
                found, gx_results[table][check.name] = validate(frame.batch_for(check.expectation, check.kwargs))
                outcomes += found
        if rows:
            validate = _validator(context, source, f"{table}.rows", rows, accepted_changes)
            per_slice = []
            rows_checked[table] = 0
            for part in frame.slices():
                per_slice.append(validate(part))
                rows_checked[table] += len(part)
            gx_results[f"{table}.rows"] = {"slices": [result for _, result in per_slice]}
            outcomes += _summed([found for found, _ in per_slice])
    success = not any(o.severity == CRITICAL and not o.success for o in outcomes)
    return GateResult(success, outcomes, accepted_changes, gx_results, row_checks_fingerprint(checks), rows_checked,
                      validated_before)


def _validator(context, source, name: str, checks: list[Check], accepted_changes: str | None):
    """A function validating one pandas frame against these checks: (outcomes, GX result as JSON)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    table = checks[0].table
    suite = gx.ExpectationSuite(name=f"kvp.{name}")
    for check in checks:
        severity = check.severity
        if severity == REGRESSION:
            severity = WARNING if accepted_changes else CRITICAL
        suite.add_expectation(getattr(gxe, check.expectation)(
            **check.kwargs, meta={"name": check.name, "severity": severity, "description": check.description}))
    suite = context.suites.add(suite)
    batch_definition = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")

    def validate(frame: pd.DataFrame) -> tuple[list[Outcome], dict]:
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5})
        found = []
        for item in result.results:
            meta = item.expectation_config.meta
            details = item.result or {}
            exception = (item.exception_info or {}).get("exception_message")
            found.append(Outcome(
                name=meta["name"], table=table, severity=meta["severity"], description=meta["description"],
                success=bool(item.success), unexpected_count=details.get("unexpected_count"),
                observed=exception or details.get("observed_value"),
                sample=[_plain(v) for v in details.get("partial_unexpected_list", [])[:5]],
            ))
        return found, result.to_json_dict()

    return validate


def _summed(per_slice: list[list[Outcome]]) -> list[Outcome]:
    """One outcome per check over all slices: it holds when it held on every slice."""
    merged: dict[str, Outcome] = {}
    for found in per_slice:
        for outcome in found:
            seen = merged.get(outcome.name)
            if seen is None:
                merged[outcome.name] = Outcome(**asdict(outcome))
                continue
            seen.success = seen.success and outcome.success
            if outcome.unexpected_count is not None:
                seen.unexpected_count = (seen.unexpected_count or 0) + outcome.unexpected_count
            seen.observed = seen.observed if seen.observed is not None else outcome.observed
            seen.sample = (seen.sample + outcome.sample)[:5]
    return list(merged.values())


def _plain(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)
