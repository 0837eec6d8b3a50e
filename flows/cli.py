"""The `kvp` command line. Heavy imports (Prefect, GX) happen inside the commands that need them."""

from __future__ import annotations

import json
import shutil
import sys
import uuid
from pathlib import Path

import click

from warehouse.home import HOME_VARIABLE, Home

HOME_OPTION = click.option(
    "--home", type=click.Path(file_okay=False, path_type=Path), default=None,
    help=f"Folder holding the warehouse and the published dataset (default: ${HOME_VARIABLE} or ./kvp-home).")


SOURCE_OPTION = click.option(
    "--source", "sources", multiple=True, metavar="PATH|URL|MANIFEST",
    help="A document file or folder, an http(s) URL, or a sources manifest (.yaml); repeat for more "
         "(default: the bundled corpus).")


def _checked_sources(sources: tuple[str, ...]) -> list[str]:
    """The sources as the flow takes them (paths absolute), or one clear line and exit 2."""
    from transforms.manifest import ManifestError, is_url, sources_from_arguments

    try:
        sources_from_arguments(list(sources))
    except ManifestError as error:
        _fail(f"invalid manifest: {error}")
    checked = []
    for item in sources:
        if is_url(item):
            checked.append(item)
        elif not Path(item).exists():
            _fail(f"--source {item!r}: no such file or folder")
        else:
            checked.append(str(Path(item).resolve()))
    return checked


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def app() -> None:
    """Publish a versioned, evidence-backed dataset comparing ketamine and psychedelic therapies."""


@app.command()
@SOURCE_OPTION
@HOME_OPTION
@click.option("--accept-changes", metavar="REASON", default=None,
              help="Publish despite regression checks against the latest version; REASON is recorded.")
@click.option("--batch-size", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Documents per Prefect task.")
@click.option("--fetch-timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Seconds allowed for fetching one URL (connect, read and the whole body).")
@click.option("--fetch-retries", type=click.IntRange(min=0, max=10), default=2, show_default=True,
              help="Retries, with exponential backoff, of URLs that timed out or answered 429/5xx.")
@click.option("--allow-private-urls", is_flag=True,
              help="Fetch URLs on private, loopback and link-local addresses (refused by default).")
@click.option("--task-runner", type=click.Choice(["threads", "dask"]), default="threads", show_default=True,
              help="Where batches run: threads here, or Dask worker processes (a local cluster by default).")
@click.option("--dask-address", metavar="ADDRESS", default=None,
              help="An existing Dask scheduler (tcp://host:8786) for --task-runner dask.")
@click.option("--force", is_flag=True,
              help="Read every input even when none changed since the last good run (size and time stamps).")
@click.option("--verbose", is_flag=True, help="Show Prefect's logs.")
def refresh(sources: tuple[str, ...], home: Path | None, accept_changes: str | None, batch_size: int,
            fetch_timeout: float, fetch_retries: int, allow_private_urls: bool, task_runner: str,
            dask_address: str | None, force: bool, verbose: bool) -> None:
    """Ingest, extract, load, validate and publish a new version if the data changed."""
    from flows.settings import configure_environment

    if dask_address and task_runner != "dask":
        _fail("--dask-address needs --task-runner dask")
    checked = _checked_sources(sources)
    kvp_home = Home.resolve(home)
    configure_environment(kvp_home, verbose)
    from flows.refresh import refresh as refresh_flow
    from flows.runners import task_runner as make_task_runner
    from transforms.fetch import FetchPolicy

    policy = FetchPolicy(timeout_seconds=fetch_timeout, allow_private=allow_private_urls)
    flow = refresh_flow.with_options(task_runner=make_task_runner(task_runner, dask_address))
    from transforms.extract import ExtractorBroken

    try:
        summary = flow(sources=checked or None, home=str(kvp_home.root), accept_changes=accept_changes,
                       batch_size=batch_size, fetch_policy=policy, fetch_retries=fetch_retries, force=force)
    except ExtractorBroken as error:
        _fail(f"nothing published: {error}")
    click.echo(f"documents ingested   {summary.n_documents}")
    if summary.n_downloaded or summary.n_not_modified:
        click.echo(f"pages                {summary.n_downloaded} downloaded, {summary.n_not_modified} not modified")
    click.echo(f"quarantined          {summary.n_quarantined}")
    for row in summary.quarantine[:20]:
        click.echo(f"  - {row['source']}: {row['reason']} ({row['detail']})")
    click.echo(f"files read           {summary.n_files_read} (the others unchanged since last read)")
    click.echo(f"extracted            {summary.n_extracted} (cached: {summary.n_cached})")
    if summary.n_evicted:
        click.echo(f"cache evicted        {summary.n_evicted} documents' results no longer used")
    click.echo(f"claims               {summary.n_claims}")
    click.echo(f"comparisons          {summary.n_comparisons}")
    if summary.validation == "skipped":
        click.echo("validation           skipped: the data equals the latest version, validated when published")
    else:
        click.echo(f"validation           {summary.validation}")
    for failure in summary.failed_expectations:
        click.echo(f"  - failed {failure}")
    if summary.outcome == "published":
        click.echo(f"published            version {summary.version}")
    elif summary.outcome == "unchanged":
        click.echo(f"published            nothing: data unchanged since version {summary.version}")
    else:
        click.echo("published            nothing: the validation gate blocked this refresh; latest is unchanged")
    click.echo(f"folder               {summary.path or kvp_home.published}")
    if summary.outcome == "blocked":
        sys.exit(1)


@app.command()
@HOME_OPTION
@click.option("--all-runs", is_flag=True, help="Every run's quarantine, not only the latest run's.")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def quarantine(home: Path | None, all_runs: bool, as_json: bool) -> None:
    """List inputs that were not used, with the reason and what to do about them."""
    from warehouse.store import connect, quarantined

    kvp_home = Home.resolve(home)
    if not kvp_home.warehouse.exists():
        _fail(f"no warehouse at {kvp_home.warehouse}: run `kvp refresh` first")
    with connect(kvp_home.warehouse, read_only=True) as con:
        rows = quarantined(con, latest_only=not all_runs)
    if as_json:
        click.echo(rows.write_json())
        return
    if rows.is_empty():
        click.echo("nothing quarantined")
    for r in rows.iter_rows(named=True):
        click.echo(f"{r['reason']:16s} {r['source']}  ({r['detail']})")


@app.command()
@click.option("--cron", required=True, help='Schedule in cron syntax, e.g. "0 6 * * *" (06:00 every day).')
@SOURCE_OPTION
@HOME_OPTION
@click.option("--name", default="kvp-refresh", show_default=True, help="Deployment name.")
def serve(cron: str, sources: tuple[str, ...], home: Path | None, name: str) -> None:
    """Register the refresh as a scheduled Prefect deployment and serve it (runs until stopped).

    Needs a Prefect server: start one with `prefect server start` and set PREFECT_API_URL.
    """
    import os

    from flows.settings import configure_environment

    if not os.environ.get("PREFECT_API_URL"):
        _fail("kvp serve needs a Prefect server: run `prefect server start` and set "
              "PREFECT_API_URL=http://127.0.0.1:4200/api")
    checked = _checked_sources(sources)
    kvp_home = Home.resolve(home)
    configure_environment(kvp_home)
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError as error:
        _fail(f"invalid --cron {cron!r}: {error.errors()[0]['msg'] if hasattr(error, 'errors') else error}")
    from flows.refresh import refresh as refresh_flow

    parameters = {"sources": checked or None, "home": str(kvp_home.root)}
    click.echo(f"serving deployment refresh/{name} on {cron!r}; home {kvp_home.root}")
    refresh_flow.serve(name=name, cron=cron, parameters=parameters, print_starting_message=False)


@app.command(name="sources")
@SOURCE_OPTION
@HOME_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def list_sources(sources: tuple[str, ...], home: Path | None, as_json: bool) -> None:
    """List the sources a refresh reads (default: the bundled manifest) with their state in the warehouse."""
    from flows.refresh import BUNDLED_MANIFEST
    from transforms.manifest import load_manifest, sources_from_arguments
    from warehouse.sources import source_states

    checked = _checked_sources(sources)
    plan = sources_from_arguments(checked) if checked else load_manifest(BUNDLED_MANIFEST)
    kvp_home = Home.resolve(home)
    if kvp_home.warehouse.exists():
        from warehouse.store import connect

        with connect(kvp_home.warehouse, read_only=True) as con:
            rows = source_states(plan, con)
    else:
        rows = source_states(plan, None)
    if as_json:
        click.echo(rows.write_json())
        return
    for r in rows.iter_rows(named=True):
        tags = f" [{', '.join(r['tags'])}]" if r["tags"] else ""
        click.echo(f"{r['name']}  ({r['kind']}: {r['location']}){tags}")
        click.echo(f"    license {r['license'] or 'not stated'}; {r['n_documents']} documents, "
                   f"{r['n_quarantined']} quarantined in the latest run"
                   + (f"; {r['n_urls']} URLs, last checked {r['last_checked'] or 'never'}" if r["n_urls"] else ""))


@app.command()
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--docs", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder with the gold's documents (default: the bundled corpus).")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def evaluate(gold: Path, docs: Path | None, as_json: bool) -> None:
    """Score extraction against a gold file (precision, recall, F1; false positives and negatives)."""
    from flows.refresh import BUNDLED_CORPUS
    from transforms.clean import clean_documents
    from transforms.evaluate import evaluate as score, read_gold
    from transforms.extract import extract_isolating
    from transforms.ingest import discover, read_files

    files, _ = discover([docs or BUNDLED_CORPUS])
    raw, _ = read_files(files)
    documents, _, _ = clean_documents(raw)
    extraction, failed = extract_isolating(documents)
    for source, detail in documents.join(failed, on="doc_id").select("source", "detail").iter_rows():
        click.echo(f"extraction failed on {source} (scored as extracting nothing): {detail}", err=True)
    result = score(extraction.claims, extraction.comparisons, documents, read_gold(gold))
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    for name in ("claims", "comparisons"):
        s = getattr(result, name)
        click.echo(f"{name:12s} precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}  "
                   f"(tp {s.tp}, fp {s.fp}, fn {s.fn})")
        for attribute, a in s.per_attribute.items():
            click.echo(f"  {attribute:16s} P {a['precision']:.2f}  R {a['recall']:.2f}  F1 {a['f1']:.2f}  "
                       f"(tp {a['tp']}, fp {a['fp']}, fn {a['fn']})")
        for label, rows in (("false positive", s.false_positives), ("false negative", s.false_negatives)):
            for row in rows:
                click.echo(f"  {label}: " + " ".join(str(v) for v in row.values()))


@app.command()
@click.argument("target", required=False)
@HOME_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def validate(target: str | None, home: Path | None, as_json: bool) -> None:
    """Check the warehouse as the next refresh would publish it, or a published version.

    TARGET is a version folder (anywhere, e.g. a downloaded copy) or a version of the home's
    catalog. Exit code 0: it holds; 1: it fails; 2: it could not be checked.
    """
    kvp_home = Home.resolve(home)
    try:
        problems, result, label = _run_validation(target, kvp_home)
    except CannotValidate as error:
        _fail_to_run(str(error), as_json)
        return
    _report_validation(label, problems, result, as_json)
    sys.exit(0 if not problems and result is not None and result.success else 1)


class CannotValidate(Exception):
    """The thing to validate is missing or unreadable."""


def _run_validation(target: str | None, home: Home):
    from flows.settings import configure_environment
    from transforms.ontology import default_ontology

    ontology = default_ontology()
    if target is None:
        if not home.warehouse.exists():
            raise CannotValidate(f"no warehouse at {home.warehouse}: run `kvp refresh` first")
        configure_environment(home)
        from expectations.validate import validate_release
        from warehouse.release import release_tables
        from warehouse.store import connect

        staging = home.staging / f"validate-{uuid.uuid4().hex}"
        try:
            with connect(home.warehouse, read_only=True) as con:
                tables = release_tables(con, ontology, staging)
            return [], validate_release(home, tables, ontology), f"warehouse {home.warehouse}"
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    folder = Path(target)
    if not folder.is_dir():
        folder = home.published / target
    if not folder.is_dir():
        raise CannotValidate(f"{target!r} is neither a folder nor a version in {home.published}")
    from expectations.validate import validate_published

    problems, result = validate_published(folder, ontology)
    return problems, result, f"published folder {folder}"


def _fail_to_run(message: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"success": None, "error": message}))
        sys.exit(2)
    _fail(message)


def _report_validation(label: str, problems: list[str], result, as_json: bool) -> None:
    if as_json:
        payload = {"target": label, "package_problems": problems,
                   "success": not problems and result is not None and result.success}
        if result is not None:
            payload.update(result.summary())
            payload["success"] = not problems and result.success
        click.echo(json.dumps(payload, indent=2, default=str))
        return
    click.echo(f"validating {label}")
    for problem in problems:
        click.echo(f"  package: {problem}")
    if result is None:
        click.echo("result: failed (the package itself does not hold; suites not run)")
        return
    failed = [o for o in result.outcomes if not o.success]
    if failed:
        click.echo(f"  {'severity':9s} {'expectation':48s} {'unexpected':>10s}  what it checks")
        for o in failed:
            click.echo(f"  {o.severity:9s} {o.name:48s} {str(o.unexpected_count or ''):>10s}  {o.description}")
    verdict = "passed" if result.success and not problems else "failed"
    click.echo(f"result: {verdict}: {len(result.outcomes)} expectations, {len(result.failed)} critical failures, "
               f"{len(result.warnings)} warnings")


def _versions_call(fn, *args, **kwargs):
    """Run a versions function; a bad version or table is one clear line and exit code 2."""
    from warehouse.versions import VersionError

    try:
        return fn(*args, **kwargs)
    except VersionError as error:
        _fail(str(error))


@app.command()
@HOME_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def versions(home: Path | None, as_json: bool) -> None:
    """List published versions: date, counts, validation and what changed."""
    from warehouse.versions import list_versions

    table = list_versions(Home.resolve(home))
    if as_json:
        click.echo(json.dumps(table.to_dicts(), indent=2))
        return
    if table.is_empty():
        click.echo("no version published yet")
    for r in table.iter_rows(named=True):
        mark = "*" if r["latest"] else " "
        click.echo(f"{mark} {r['version']:9s} {r['created_at']}  docs {r['documents']:5d}  claims {r['claims']:6d}  "
                   f"validation {r['validation']} ({r['warnings']} warnings)  {r['changes']}")


@app.command()
@click.argument("old")
@click.argument("new", required=False)
@HOME_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the full difference as JSON.")
def diff(old: str, new: str | None, home: Path | None, as_json: bool) -> None:
    """What changed from version OLD to NEW (default: latest)."""
    from warehouse.versions import diff_versions

    changes = _versions_call(diff_versions, Home.resolve(home), old, new)
    if as_json:
        click.echo(json.dumps(changes, indent=2, default=str))
        return
    click.echo(f"{changes['from']} -> {changes['to']}")
    for name in ("documents", "claims", "comparisons"):
        part = changes[name]
        click.echo(f"{name:12s} +{part['added']} -{part['removed']}")
        for sign, rows in (("+", part["added_rows"]), ("-", part["removed_rows"])):
            for row in rows:
                click.echo(f"  {sign} " + " ".join(str(v) for k, v in row.items() if not k.endswith("_id")))
    cells = changes["comparison_matrix"]
    click.echo(f"matrix cells changed: {cells['cells_changed']}")
    for cell in cells["cells"]:
        click.echo(f"  {cell['subject']} {cell['attribute']} {cell['value']}: documents "
                   f"{cell['n_documents_old']} -> {cell['n_documents']}, conflict {cell['conflict_old']} -> {cell['conflict']}")


@app.command()
@click.argument("version")
@HOME_OPTION
def promote(version: str, home: Path | None) -> None:
    """Point latest at VERSION (a rollback, or forward again); nothing is deleted."""
    from warehouse.versions import promote as promote_version

    previous = _versions_call(promote_version, Home.resolve(home), version)
    click.echo(f"latest: {previous} -> {version}")


@app.command()
@click.argument("table")
@click.option("--version", "version", default=None, help="Version to read (default: latest).")
@click.option("--subject", default=None, help="Only rows about this therapy id.")
@click.option("--attribute", default=None, help="Only rows on this attribute id.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Rows shown as a table.")
@HOME_OPTION
def show(table: str, version: str | None, subject: str | None, attribute: str | None, fmt: str, limit: int,
         home: Path | None) -> None:
    """Print a published table (documents, claims, comparisons, comparison_matrix, therapies, attributes)."""
    import polars as pl

    from warehouse.versions import read_published_table

    frame = _versions_call(read_published_table, Home.resolve(home), table, version, subject, attribute)
    if fmt == "csv":
        click.echo(frame.with_columns(pl.col(pl.List(pl.String)).list.join("|")).write_csv(), nl=False)
    elif fmt == "json":
        click.echo(frame.write_json())
    else:
        with pl.Config(tbl_rows=limit, fmt_str_lengths=80, tbl_width_chars=200):
            click.echo(frame.head(limit))


def main() -> None:
    from flows.process import run_then_exit

    run_then_exit(lambda: app(prog_name="kvp"))


if __name__ == "__main__":
    main()
