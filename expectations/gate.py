"""The validation gate: run the suites with Great Expectations on pandas batches and decide.

Critical checks block publishing; warnings publish and are listed in the dataset card;
regression checks are critical unless the operator accepted the change (recorded).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
import polars as pl

from expectations.suites import CRITICAL, REGRESSION, WARNING, Check

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


def _gx_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def run_gate(frames: dict[str, pd.DataFrame], checks: list[Check], accepted_changes: str | None = None) -> GateResult:
    """Validate each table's batch against its suite; decide by severity."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context = _gx_context()
    source = context.data_sources.add_pandas("kvp")
    outcomes: list[Outcome] = []
    gx_results: dict[str, dict] = {}
    for table in sorted({c.table for c in checks}):
        table_checks = [c for c in checks if c.table == table]
        suite = gx.ExpectationSuite(name=f"kvp.{table}")
        for check in table_checks:
            severity = check.severity
            if severity == REGRESSION:
                severity = WARNING if accepted_changes else CRITICAL
            expectation = getattr(gxe, check.expectation)(
                **check.kwargs, meta={"name": check.name, "severity": severity, "description": check.description})
            suite.add_expectation(expectation)
        suite = context.suites.add(suite)
        batch_definition = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("all")
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frames[table]})
        result = batch.validate(suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5})
        gx_results[table] = result.to_json_dict()
        for item in result.results:
            meta = item.expectation_config.meta
            details = item.result or {}
            exception = (item.exception_info or {}).get("exception_message")
            outcomes.append(Outcome(
                name=meta["name"], table=table, severity=meta["severity"], description=meta["description"],
                success=bool(item.success), unexpected_count=details.get("unexpected_count"),
                observed=exception or details.get("observed_value"),
                sample=[_plain(v) for v in details.get("partial_unexpected_list", [])[:5]],
            ))
    success = not any(o.severity == CRITICAL and not o.success for o in outcomes)
    return GateResult(success, outcomes, accepted_changes, gx_results)


def _plain(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)
