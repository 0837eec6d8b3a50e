"""A corpus of hostile and broken inputs, from disk and from a local web server, through the real flow:
the run completes, good documents are extracted, every bad input is quarantined with its reason."""

from __future__ import annotations

import codecs
import json
import os
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.refresh import refresh
from tests.support.fragile import extractor_failing_on
from tests.support.pages import script_heavy_page, seed_as_html
from tests.support.webserver import page, redirect, serve, slow, status, with_etag
from transforms.clean import clean_documents
from transforms.extract import extract
from transforms.fetch import FetchPolicy
from transforms.ingest import discover, read_files

GOOD_TEXT = ("Esketamine nasal spray (Spravato) is approved by the FDA for treatment-resistant depression. "
             "It must be given in a certified clinic under the REMS program because of dissociation and sedation.")
UTF16_TEXT = "Psilocybin is a Schedule I substance in the United States, and Oregon runs a licensed program."
SCRIPT_ARTICLE = "Ketamine infusions can relieve depressive symptoms within hours in treatment-resistant depression."


def _hostile_folder(root: Path) -> Path:
    folder = root / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_TEXT)
    (folder / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + UTF16_TEXT.encode("utf-16-le"))
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "empty.md").write_text("")
    (folder / "latin1.txt").write_bytes("Kétamine à dose faible".encode("latin-1"))
    with open(folder / "huge.txt", "wb") as handle:       # 50 MB of plausible text
        handle.write(("Ketamine is an anesthetic. " * 40 + "\n").encode() * 46_000)
    (folder / "scripts.html").write_text(script_heavy_page(SCRIPT_ARTICLE))
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\nxref\ngarbage")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    secret = root / "secret.txt"
    secret.write_text("outside the source root")
    (folder / "escape.txt").symlink_to(secret)
    (folder / "reprint.txt").write_text(GOOD_TEXT)          # same text as good.txt
    return folder


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, seeds_dir):
    root = tmp_path_factory.mktemp("hostile")
    folder = _hostile_folder(root)
    seeds = sorted(seeds_dir.glob("*.txt"))
    routes = {f"/articles/{p.stem}": with_etag(seed_as_html(p), f'"{p.stem}"') for p in seeds}
    routes |= {"/slow": slow(3), "/missing": status(404), "/loop": redirect("/loop-again"),
               "/loop-again": redirect("/loop"), "/logo": page(b"\x89PNG\r\n\x1a\n", "image/png")}
    with serve(routes) as site:
        (root / "urls.txt").write_text("# pages to read\n" + "\n".join(site.url(path) for path in routes) + "\n")
        (root / "sources.yaml").write_text(
            "sources:\n"
            "  - name: inbox\n    path: inbox\n    license: mixed\n    tags: [hostile]\n"
            "  - name: web\n    url_list: urls.txt\n    license: publishers'\n"
            "  - name: gone\n    path: no-such-folder\n")
        policy = FetchPolicy(timeout_seconds=1.0, allow_private=True)
        home = root / "home"
        first = refresh(sources=[str(root / "sources.yaml")], home=str(home), fetch_policy=policy, fetch_retries=1)
        hits_after_first = dict(site.hits)
        second = refresh(sources=[str(root / "sources.yaml")], home=str(home), fetch_policy=policy, fetch_retries=0)
        hits_after_second = dict(site.hits)
    return home, site, first, second, hits_after_first, hits_after_second


def _reasons(summary, base: str = "") -> dict[str, str]:
    return {row["source"].removeprefix(base): row["reason"] for row in summary.quarantine}


def test_the_run_completes_and_quarantines_each_bad_input_with_its_reason(hostile_run):
    _home, site, first, _second, hits, _ = hostile_run
    assert first.outcome == "published"
    reasons = _reasons(first, site.base)
    assert reasons == {
        "junk.txt": "binary", "empty.md": "empty", "latin1.txt": "undecodable", "huge.txt": "too_large",
        "corrupt.pdf": "parse_error", "image.png": "unsupported_type", "escape.txt": "outside_root",
        "reprint.txt": "duplicate", str(Path(_home).parent / "no-such-folder"): "missing",
        "/slow": "fetch_error", "/missing": "fetch_error", "/loop": "fetch_error", "/loop-again": "fetch_error",
        "/logo": "unsupported_type",
    }
    details = {row["source"].removeprefix(site.base): row["detail"] for row in first.quarantine}
    assert "timed out" in details["/slow"] and details["/missing"] == "HTTP 404 Not Found"
    assert "redirect loop" in details["/loop"] and "good.txt" in details["reprint.txt"]
    assert hits["/slow"] == 2 and hits["/missing"] == 1 and hits["/articles/000_0478640175a0d3a0"] == 1  # one retry


def test_good_documents_are_extracted_and_the_web_pages_match_the_text_files(hostile_run, seeds_dir):
    home, site, first, _second, _, _ = hostile_run
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    documents = con.execute("SELECT source, origin, doc_id, text FROM documents").pl()
    claims = con.execute("SELECT d.source, c.subject, c.attribute, c.value, c.negated FROM claims c "
                         "JOIN documents d USING (doc_id)").pl()
    con.close()
    by_source = {row["source"].removeprefix(site.base): row for row in documents.iter_rows(named=True)}
    assert {"good.txt", "utf16.txt", "scripts.html"} <= set(by_source)
    assert by_source["utf16.txt"]["text"] == UTF16_TEXT
    assert "window.ads" not in by_source["scripts.html"]["text"] and SCRIPT_ARTICLE in by_source["scripts.html"]["text"]
    assert by_source["good.txt"]["origin"] == "inbox"
    web = claims.filter(pl.col("source").str.starts_with(site.base)).with_columns(
        pl.col("source").str.replace(r".*/", ""))
    files, _ = discover([seeds_dir])
    raw, _ = read_files(files)
    text_documents, _, _ = clean_documents(raw)
    from_text = extract(text_documents).claims.join(
        text_documents.select("doc_id", pl.col("source").str.replace(r"\.txt$", "")), on="doc_id")
    assert set(web.iter_rows()) == set(from_text.select(web.columns).iter_rows())
    assert web.height > 100


def test_unchanged_pages_are_not_downloaded_again(hostile_run):
    _home, site, _first, second, hits_first, hits_second = hostile_run
    assert second.outcome == "unchanged" and second.n_extracted == 0
    assert second.n_not_modified == 5 and second.n_downloaded == 0
    article_hits = {p: hits_second[p] - hits_first[p] for p in hits_second if p.startswith("/articles/")}
    assert set(article_hits.values()) == {1}                # one conditional request each, answered 304


def test_the_card_counts_quarantine_by_reason_and_the_cli_lists_sources(hostile_run):
    home, _site, first, _second, _, _ = hostile_run
    card = (home / "published" / first.version / "README.md").read_text()
    assert "`fetch_error` 4" in card and "`binary` 1" in card and "`missing` 1" in card
    from click.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["sources", "--source", str(home.parent / "sources.yaml"), "--home", str(home),
                                      "--json"])
    assert result.exit_code == 0, result.output
    states = {row["name"]: row for row in json.loads(result.output)}
    assert states["inbox"]["n_documents"] == 3 and states["inbox"]["n_quarantined"] == 8
    assert states["inbox"]["tags"] == ["hostile"] and states["inbox"]["license"] == "mixed"
    assert states["web"]["n_documents"] == 5 and states["web"]["n_urls"] == 10 and states["web"]["last_checked"]
    assert states["gone"]["n_quarantined"] == 1


def test_a_document_the_extractor_fails_on_is_quarantined_and_the_run_publishes(tmp_path, monkeypatch):
    extractor_failing_on(monkeypatch, "Poisoned", RuntimeError("extractor bug"))
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_TEXT)
    (folder / "bad.txt").write_text("Poisoned page. Ketamine is an anesthetic.")
    summary = refresh(sources=[str(folder)], home=str(tmp_path / "home"))
    assert summary.outcome == "published" and summary.n_documents == 1
    assert [(q["source"], q["reason"], q["detail"]) for q in summary.quarantine] == [
        ("bad.txt", "unextractable", "RuntimeError: extractor bug")]
    published = pl.read_parquet(Path(summary.path) / "claims.parquet")
    assert published.height and published["doc_id"].n_unique() == 1


def test_an_extractor_failing_on_everything_stops_the_run_with_one_line_and_publishes_nothing(
        tmp_path, monkeypatch):
    from click.testing import CliRunner

    from flows.cli import app

    extractor_failing_on(monkeypatch, "", RuntimeError("rule compiled wrong"))
    folder = tmp_path / "inbox"
    folder.mkdir()
    for number in range(12):
        (folder / f"page{number}.txt").write_text(f"{GOOD_TEXT} Page {number}.")
    home = tmp_path / "home"
    result = CliRunner().invoke(app, ["refresh", "--source", str(folder), "--home", str(home)])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1].startswith("error: nothing published: the extractor failed on "
                                                             "each of 8 documents")
    assert not any((home / "published").iterdir())
