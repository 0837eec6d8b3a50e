"""Finding source files and reading them into a raw documents frame (see `transforms.readers`),
with quarantine rows for what cannot be read.

Only reading and decoding happens here; normalisation and furniture removal are `transforms.clean`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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
    `origin` the name of the source (manifest entry or argument) it was found through."""

    path: Path
    source: str
    origin: str = ""


def discover(roots: Iterable[Path | Source]) -> tuple[list[SourceFile], pl.DataFrame]:
    """Files under each root (a file or a folder), sorted; escapes and missing roots quarantined.

    Roots are paths or `path` sources; URL sources are not files and are left to `transforms.fetch`.
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
            found.append(SourceFile(root, root.name, origin))
            continue
        real_root = root.resolve()
        for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
            name = path.relative_to(root).as_posix()
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue
            resolved = path.resolve()
            if not resolved.is_relative_to(real_root):
                problems.append(quarantine_row(name, "outside_root", f"resolves outside {root}", origin=origin))
                continue
            if not resolved.is_file():
                problems.append(quarantine_row(name, "unreadable", "not a regular file", origin=origin))
                continue
            found.append(SourceFile(path, name, origin))
    return found, pl.DataFrame(problems, schema=QUARANTINE_SCHEMA)


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
    size and modification time (as make and rsync judge change), the pages' texts, the inputs already
    refused, and the versions of the code and rules. Equal digests mean the refresh has nothing new."""
    digest = hashlib.sha256(repr(sorted(versions.items())).encode())
    lines = []
    for file in files:
        try:
            stat = file.path.stat()
            lines.append(f"f\t{file.source}\t{file.origin}\t{stat.st_size}\t{stat.st_mtime_ns}")
        except OSError as error:
            lines.append(f"f\t{file.source}\t{file.origin}\terror {error.errno}")
    lines += [f"q\t{source}\t{reason}" for source, reason in problems.select("source", "reason").iter_rows()]
    if pages.height:
        hashed = pages.select("source", "origin", sha256_hex(pages["text"]).alias("sha256"))
        lines += [f"p\t{source}\t{origin}\t{sha}" for source, origin, sha in hashed.iter_rows()]
    for line in sorted(lines):
        digest.update(line.encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()
