"""A publishing process killed at any moment leaves the catalog naming a complete version."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from transforms.clean import clean_documents
from transforms.extract import current_extractor_version, extract
from transforms.ingest import discover, read_files
from warehouse.home import Home
from warehouse.publish import publish, read_catalog, verify_folder
from warehouse.release import release_tables
from warehouse.cache import store_extraction
from warehouse.store import connect, load_refresh, start_run
from transforms.ontology import default_ontology

METADATA = {"pipeline_version": "test", "ontology_version": "test", "extractor_version": "test"}

PUBLISH_AND_DIE = textwrap.dedent("""
    import os, sys
    import warehouse.publish as P
    from transforms.ontology import default_ontology
    from warehouse.home import Home
    from warehouse.release import release_tables
    from warehouse.store import connect

    home, point = Home.resolve(sys.argv[1]), sys.argv[2]
    def die(*args, **kwargs):
        os._exit(9)
    if point == "writing_tables":
        P.datapackage = die
    elif point == "before_rename":
        P.os.rename = die
    elif point == "before_catalog":
        P.write_json_atomically = die
    elif point == "replacing_catalog":
        P.os.replace = die
    elif point == "before_latest_link":
        P.point_latest_link = die
    with connect(home.warehouse, read_only=True) as con:
        tables = release_tables(con, default_ontology(), home.staging / "kill")
    P.publish(home, tables, default_ontology(), {"success": True}, {}, %r)
""" % (METADATA,))


def _load(home: Home, folder) -> None:
    files, _ = discover([folder])
    raw, _ = read_files(files)
    documents, quarantine, furniture = clean_documents(raw)
    extraction = extract(documents)
    version = current_extractor_version()
    with connect(home.warehouse) as con:
        start_run(con, "run")
        store_extraction(con, documents.select("doc_id"), extraction.claims, extraction.comparisons, version)
        load_refresh(con, "run", documents, quarantine, furniture, version)


def _publish(home: Home):
    with connect(home.warehouse, read_only=True) as con:
        tables = release_tables(con, default_ontology(), home.staging / "test")
    return publish(home, tables, default_ontology(), {"success": True}, {}, METADATA)


def _assert_sound(home: Home, expected_latest: set[str]) -> None:
    catalog = read_catalog(home)
    assert catalog["latest"] in expected_latest
    for entry in catalog["versions"]:
        assert verify_folder(home.published / entry["path"]) == []
    link = home.published / "latest"
    assert not link.exists() or verify_folder(link.resolve()) == []


@pytest.mark.parametrize("point", ["writing_tables", "before_rename", "before_catalog", "replacing_catalog",
                                   "before_latest_link"])
def test_kill_during_publish(tmp_path, seeds_dir, point):
    home = Home(tmp_path / "home").create()
    _load(home, sorted(seeds_dir.iterdir())[0])
    assert _publish(home).version == "1.0.0"
    _load(home, seeds_dir)                 # more documents: the next publish has something to write
    killed = subprocess.run([sys.executable, "-c", PUBLISH_AND_DIE, str(home.root), point],
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == 9, killed.stderr
    _assert_sound(home, {"1.0.0", "1.1.0"} if point == "before_latest_link" else {"1.0.0"})
    again = _publish(home)                 # the next publish cleans up and completes
    assert again.outcome in {"published", "unchanged"}
    _assert_sound(home, {"1.1.0"})
    leftovers = [p.name for p in home.published.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert json.loads(home.catalog.read_text())["latest"] == "1.1.0"
