"""The sources manifest: which files, folders and URLs a refresh reads, with license and tags.

A manifest is YAML, checked strictly (a scheduled refresh must fail loudly on a typo, not read
nothing):

    sources:
      - name: seeds                # unique; documents and quarantine rows carry it as `origin`
        path: seeds                # a file or folder, relative to the manifest
        license: see each article
        tags: [seed]
      - name: nimh
        url: https://www.nimh.nih.gov/health/topics/depression
      - name: clinics
        url_list: clinic-urls.txt  # one URL per line, '#' starts a comment

Command-line sources use the same model: a path, a URL, or a manifest file (.yaml/.yml).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from urllib.parse import urlsplit

import yaml

LOCATION_KEYS = ("path", "url", "url_list")
ALLOWED_KEYS = {"name", "license", "tags", *LOCATION_KEYS}
MANIFEST_SUFFIXES = (".yaml", ".yml")


class ManifestError(ValueError):
    """The manifest cannot be used; the message names the file, the entry and the problem."""


@dataclass(frozen=True)
class Source:
    name: str
    kind: str                          # path | url | url_list
    location: str                      # as written (path resolved against the manifest)
    license: str | None = None
    tags: tuple[str, ...] = ()
    urls: tuple[str, ...] = field(default=())   # for url and url_list

    @property
    def path(self) -> Path:
        return Path(self.location)


def is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in {"http", "https"}


def load_manifest(path: Path) -> list[Source]:
    """The sources a manifest names, in its order."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ManifestError(f"{path}: cannot read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise ManifestError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
        raise ManifestError(f"{path}: expected a mapping with a 'sources' list")
    sources, names = [], set()
    for number, entry in enumerate(document["sources"], start=1):
        source = _source(entry, path.parent, f"{path}: source {number}")
        if source.name in names:
            raise ManifestError(f"{path}: source {number}: the name {source.name!r} is used twice")
        names.add(source.name)
        sources.append(source)
    return sources


def sources_from_arguments(items: list[str]) -> list[Source]:
    """Command-line sources: URLs, manifests (expanded) and paths, named as given."""
    sources: list[Source] = []
    for item in items:
        if is_url(item):
            sources.append(Source(item, "url", item, urls=(item,)))
        elif item.lower().endswith(MANIFEST_SUFFIXES):
            sources.extend(load_manifest(Path(item)))
        else:
            sources.append(Source(item, "path", item))
    return sources


def _source(entry: object, base: Path, where: str) -> Source:
    if not isinstance(entry, dict):
        raise ManifestError(f"{where}: expected a mapping")
    unknown = set(entry) - ALLOWED_KEYS
    if unknown:
        raise ManifestError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                            f"allowed: {', '.join(sorted(ALLOWED_KEYS))}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ManifestError(f"{where}: needs a 'name'")
    locations = [key for key in LOCATION_KEYS if key in entry]
    if len(locations) != 1:
        raise ManifestError(f"{where} ({name}): needs exactly one of {', '.join(LOCATION_KEYS)}")
    kind, value = locations[0], entry[locations[0]]
    if not isinstance(value, str) or not value.strip():
        raise ManifestError(f"{where} ({name}): '{kind}' must be a non-empty string")
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ManifestError(f"{where} ({name}): 'tags' must be a list of strings")
    license_ = entry.get("license")
    if license_ is not None and not isinstance(license_, str):
        raise ManifestError(f"{where} ({name}): 'license' must be a string")
    common = {"name": name, "kind": kind, "license": license_, "tags": tuple(tags)}
    if kind == "path":
        return Source(location=str(base / value), **common)
    if kind == "url":
        if not is_url(value):
            raise ManifestError(f"{where} ({name}): {value!r} is not an http(s) URL")
        return Source(location=value, urls=(value,), **common)
    list_path = base / value
    return Source(location=str(list_path), urls=tuple(_read_url_list(list_path, f"{where} ({name})")), **common)


def _read_url_list(path: Path, where: str) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(f"{where}: cannot read the URL list {path} ({error})") from None
    urls = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not is_url(line):
            raise ManifestError(f"{where}: {path}:{number}: {line[:80]!r} is not an http(s) URL")
        urls.append(line)
    return urls
