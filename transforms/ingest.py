"""Finding source files and reading them into a raw documents frame (see `transforms.readers`),
with quarantine rows for what cannot be read.

Only reading and decoding happens here; normalisation and furniture removal are `transforms.clean`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISREG

import polars as pl

from transforms.ids import sha256_hex
from transforms.manifest import Source
from transforms.readers import READERS, Unreadable

MAX_FILE_BYTES = 20 * 1024 * 1024

RAW_SCHEMA = {"source": pl.String, "origin": pl.String, "content_type": pl.String, "title": pl.String, "url": pl.String,
              "published": pl.String, "text": pl.String, "retrieved_at": pl.Datetime("us", "UTC")}
QUARANTINE_SCHEMA = {"source": pl.String, "origin": pl.String, "reason": pl.String, "detail": pl.String, "doc_id": pl.String,
                     "quarantined_at": pl.Datetime("us", "UTC")}


@dataclass(frozen=True)
class SourceFile:
    """One file found under a source root; `source` is how it is named in the published tables,
    `origin` the name of the source (manifest entry or argument) it was found through; size and
    modification time as discovery saw them (what `inputs_fingerprint` judges change by)."""

    path: Path
    source: str
    origin: str = ""
    size: int = -1
    mtime_ns: int = -1


def discover(roots: Iterable[Path | Source]) -> tuple[list[SourceFile], pl.DataFrame]:
    """Files under each root (a file or a folder), sorted; escapes and missing roots quarantined.

    Roots are paths or `path` sources; URL sources are not files and are left to `transforms.fetch`.
    Hidden files and folders are skipped; symbolic links are followed only when they stay inside
    the root (a linked folder inside the root is reached through its real path instead).
    """
    found: list[SourceFile] = []
    problems: list[dict] = []
    for item in roots:
        if isinstance(item, Source):
            if item.kind != "path":
                continue
            root, origin = item.path, item.name
        else:
            root, origin = Path(item), str(item)
        if not root.exists():
            problems.append(quarantine_row(str(root), "missing", "no such file or folder", origin=origin))
            continue
        if root.is_file():
            stat = root.stat()
            found.append(SourceFile(root, root.name, origin, stat.st_size, stat.st_mtime_ns))
            continue
        files, refused = _walk(root, origin)
        found.extend(files)
        problems.extend(refused)
    return found, pl.DataFrame(problems, schema=QUARANTINE_SCHEMA)


def _walk(root: Path, origin: str) -> tuple[list[SourceFile], list[dict]]:
    real_root = os.path.realpath(root)
    found, problems = [], []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = os.path.relpath(folder, root)
        for name in names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            if name.startswith("."):
                continue
            path = os.path.join(folder, name)
            source = name if base == "." else f"{base}/{name}".replace(os.sep, "/")
            if os.path.islink(path):
                target = os.path.realpath(path)
                if os.path.commonpath([real_root, target]) != real_root:
                    problems.append(quarantine_row(source, "outside_root", f"resolves outside {root}", origin=origin))
                    continue
                if os.path.isdir(target):
                    continue               # reached through its real path
            try:
                stat = os.stat(path)
            except OSError as error:
                problems.append(quarantine_row(source, "unreadable", error.strerror or str(error), origin=origin))
                continue
            if not S_ISREG(stat.st_mode):
                problems.append(quarantine_row(source, "unreadable", "not a regular file", origin=origin))
                continue
            found.append(SourceFile(Path(path), source, origin, stat.st_size, stat.st_mtime_ns))
    found.sort(key=lambda f: f.source)
    return found, problems


def read_files(files: list[SourceFile], now: datetime | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read and decode files; return (raw documents, quarantine)."""
    now = now or datetime.now(UTC)
    rows: list[dict] = []
    problems: list[dict] = []
    for file in files:
        reader = READERS.get(file.path.suffix.lower())
        if reader is None:
            problems.append(quarantine_row(file.source, "unsupported_type",
                                            f"no reader for {file.path.suffix or 'files without a suffix'}", now, file.origin))
            continue
        content_type, read = reader
        try:
            size = file.path.stat().st_size
            if size > MAX_FILE_BYTES:
                problems.append(quarantine_row(file.source, "too_large",
                                                f"{size} bytes > limit {MAX_FILE_BYTES}", now, file.origin))
                continue
            data = file.path.read_bytes()
        except OSError as error:
            problems.append(quarantine_row(file.source, "unreadable", error.strerror or str(error), now, file.origin))
            continue
        try:
            documents = read(data)
        except Unreadable as error:
            problems.append(quarantine_row(file.source, error.reason, error.detail, now, file.origin))
            continue
        rows.extend({"source": file.source + d.suffix, "origin": file.origin or file.source, "content_type": content_type, "title": d.title, "url": d.url,
                     "published": d.published, "text": d.text, "retrieved_at": now} for d in documents)
    return pl.DataFrame(rows, schema=RAW_SCHEMA), pl.DataFrame(problems, schema=QUARANTINE_SCHEMA)


def quarantine_row(source: str, reason: str, detail: str, now: datetime | None = None,
                   origin: str | None = None) -> dict:
    return {"source": source, "origin": origin or source, "reason": reason, "detail": detail, "doc_id": None,
            "quarantined_at": now or datetime.now(UTC)}


def inputs_fingerprint(files: list[SourceFile], problems: pl.DataFrame, pages: pl.DataFrame, versions: dict) -> str:
    """A digest of everything a refresh would read, taken before reading it: each file's name, origin,
    size and modification time as discovered (as make and rsync judge change), the pages' texts, the inputs already
    refused, and the versions of the code and rules. Equal digests mean the refresh has nothing new."""
    digest = hashlib.sha256(repr(sorted(versions.items())).encode())
    lines = []
    lines += [f"f\t{f.source}\t{f.origin}\t{f.size}\t{f.mtime_ns}" for f in files]
    lines += [f"q\t{source}\t{reason}" for source, reason in problems.select("source", "reason").iter_rows()]
    if pages.height:
        hashed = pages.select("source", "origin", sha256_hex(pages["text"]).alias("sha256"))
        lines += [f"p\t{source}\t{origin}\t{sha}" for source, origin, sha in hashed.iter_rows()]
    for line in sorted(lines):
        digest.update(line.encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()
