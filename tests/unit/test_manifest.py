"""The sources manifest: what it accepts, and the one-line errors for what it does not."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from flows.cli import app
from transforms.manifest import ManifestError, load_manifest, sources_from_arguments


def _manifest(tmp_path, text: str):
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    return path


def test_a_manifest_names_paths_urls_and_url_lists(tmp_path):
    (tmp_path / "urls.txt").write_text("# clinics\nhttps://example.org/a\n\n  https://example.org/b#top\n")
    sources = load_manifest(_manifest(tmp_path, """
sources:
  - {name: local, path: docs, license: CC-BY-4.0, tags: [seed, en]}
  - {name: nimh, url: "https://www.nimh.nih.gov/x"}
  - {name: clinics, url_list: urls.txt}
"""))
    assert [(s.name, s.kind) for s in sources] == [("local", "path"), ("nimh", "url"), ("clinics", "url_list")]
    assert sources[0].path == tmp_path / "docs" and sources[0].tags == ("seed", "en")
    assert sources[2].urls == ("https://example.org/a", "https://example.org/b#top")


@pytest.mark.parametrize("text, message", [
    ("sources: [{name: a, path: x, colour: red}]", "unknown key(s) colour"),
    ("sources: [{name: a}]", "needs exactly one of path, url, url_list"),
    ("sources: [{name: a, path: x, url: 'https://e.org'}]", "needs exactly one of"),
    ("sources: [{name: a, url: 'ftp://e.org/x'}]", "is not an http(s) URL"),
    ("sources: [{name: a, path: x}, {name: a, path: y}]", "used twice"),
    ("sources: [{path: x}]", "needs a 'name'"),
    ("sources: [{name: a, path: x, tags: red}]", "'tags' must be a list"),
    ("sources: {name: a}", "expected a mapping with a 'sources' list"),
    ("sources: [name: a", "not valid YAML"),
    ("sources: [{name: a, url_list: missing.txt}]", "cannot read the URL list"),
])
def test_bad_manifests_are_refused_with_the_entry_and_the_problem(tmp_path, text, message):
    with pytest.raises(ManifestError, match="sources.yaml") as error:
        load_manifest(_manifest(tmp_path, text))
    assert message in str(error.value)


def test_arguments_mix_paths_urls_and_manifests(tmp_path):
    manifest = _manifest(tmp_path, "sources: [{name: m, path: docs}]")
    sources = sources_from_arguments(["folder", "https://example.org/page", str(manifest)])
    assert [(s.name, s.kind) for s in sources] == [("folder", "path"), ("https://example.org/page", "url"), ("m", "path")]


def test_the_cli_reports_a_bad_manifest_in_one_line(tmp_path):
    manifest = _manifest(tmp_path, "sources: [{name: a, path: x, colour: red}]")
    result = CliRunner().invoke(app, ["sources", "--source", str(manifest)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: invalid manifest:") and "colour" in lines[0]
