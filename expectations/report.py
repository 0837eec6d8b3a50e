"""A self-contained HTML report of a gate result (GX Data Docs need CDNs these machines cannot reach)."""

from __future__ import annotations

import html
import json

from expectations.gate import GateResult

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;
vertical-align:top}th{background:#f3f3f3}.ok{color:#1a7f37}.fail{color:#b42318;font-weight:600}
.warn{color:#9a6700;font-weight:600}code{font-size:.9em}
"""


def render_report(result: GateResult, title: str) -> str:
    rows = []
    for o in sorted(result.outcomes, key=lambda o: (o.success, o.table, o.name)):
        status, css = ("passed", "ok") if o.success else (("failed", "fail") if o.severity == "critical" else ("warning", "warn"))
        detail = "" if o.success else html.escape(
            f"unexpected: {o.unexpected_count}; observed: {o.observed}; sample: {json.dumps(o.sample, default=str)[:300]}")
        rows.append(f"<tr><td class='{css}'>{status}</td><td>{html.escape(o.table)}</td>"
                    f"<td><code>{html.escape(o.name)}</code></td><td>{html.escape(o.severity)}</td>"
                    f"<td>{html.escape(o.description)}</td><td>{detail}</td></tr>")
    verdict = "passed" if result.success else "failed"
    accepted = (f"<p>Accepted change: {html.escape(result.accepted_changes)}</p>" if result.accepted_changes else "")
    accepted += rows_checked_line(result)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p>Gate <b class='{'ok' if result.success else 'fail'}'>{verdict}</b>: {len(result.outcomes)} expectations, "
            f"{len(result.failed)} critical failures, {len(result.warnings)} warnings.</p>{accepted}"
            "<table><tr><th>status</th><th>table</th><th>expectation</th><th>severity</th><th>what it checks</th>"
            f"<th>detail</th></tr>{''.join(rows)}</table></body></html>")


def rows_checked_line(result: GateResult) -> str:
    """Which rows the row checks saw, when some were left to an earlier version's validation."""
    if not result.validated_before:
        return ""
    counted = ", ".join(f"{n} {table} rows" for table, n in sorted(result.rows_checked.items()))
    return (f"<p>Row checks ran on {html.escape(counted)} (of new or changed documents); the rows of documents "
            f"whose text and rows are as validated in version {html.escape(result.validated_before)} were not checked "
            "again. Whole-table checks saw every row.</p>")


def validation_files(result: GateResult, title: str) -> dict[str, str]:
    """The files a version keeps in its validation/ folder."""
    return {
        "summary.json": json.dumps(result.summary(), indent=2, default=str),
        "gx_results.json": json.dumps(result.gx_results, indent=2, default=str),
        "report.html": render_report(result, title),
    }
