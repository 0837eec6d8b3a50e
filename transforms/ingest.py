"""Reading source files into a raw documents frame, and quarantine rows for what cannot be read.

Only reading and decoding happens here; normalisation and furniture removal are `transforms.clean`.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

CONTENT_TYPES = {".txt": "text/plain", ".text": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown"}
MAX_FILE_BYTES = 20 * 1024 * 1024

RAW_SCHEMA = {"source": pl.String, "content_type": pl.String, "title": pl.String, "text": pl.String,
              "retrieved_at": pl.Datetime("us", "UTC")}
QUARANTINE_SCHEMA = {"source": pl.String, "reason": pl.String, "detail": pl.String, "doc_id": pl.String,
                     "quarantined_at": pl.Datetime("us", "UTC")}


@dataclass(frozen=True)
class SourceFile:
    """One file found under a source root; `source` is how it is named in the published tables."""

    path: Path
    source: str


def discover(roots: Iterable[Path]) -> tuple[list[SourceFile], pl.DataFrame]:
    """Files under each root (a file or a folder), sorted; escapes and missing roots quarantined."""
    found: list[SourceFile] = []
    problems: list[dict] = []
    for root in roots:
        root = Path(root)
        if not root.exists():
            problems.append(_quarantine_row(str(root), "missing", "no such file or folder"))
            continue
        if root.is_file():
            found.append(SourceFile(root, root.name))
            continue
        real_root = root.resolve()
        for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
            name = path.relative_to(root).as_posix()
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue
            resolved = path.resolve()
            if not resolved.is_relative_to(real_root):
                problems.append(_quarantine_row(name, "outside_root", f"resolves outside {root}"))
                continue
            if not resolved.is_file():
                problems.append(_quarantine_row(name, "unreadable", "not a regular file"))
                continue
            found.append(SourceFile(path, name))
    return found, pl.DataFrame(problems, schema=QUARANTINE_SCHEMA)


def decode(data: bytes) -> str:
    """Bytes to text: BOMs honoured (UTF-8, UTF-16), otherwise strict UTF-8.

    Raises UnicodeDecodeError for text that is not valid in its encoding.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8")


def looks_binary(data: bytes) -> bool:
    """NUL bytes in the first 8 KiB (after any UTF-16 BOM) mark a binary file."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in data[:8192]


def read_files(files: list[SourceFile], now: datetime | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read and decode files; return (raw documents, quarantine)."""
    now = now or datetime.now(UTC)
    rows: list[dict] = []
    problems: list[dict] = []
    for file in files:
        content_type = CONTENT_TYPES.get(file.path.suffix.lower())
        if content_type is None:
            problems.append(_quarantine_row(file.source, "unsupported_type",
                                            f"no reader for {file.path.suffix or 'files without a suffix'}", now))
            continue
        try:
            size = file.path.stat().st_size
            if size > MAX_FILE_BYTES:
                problems.append(_quarantine_row(file.source, "too_large",
                                                f"{size} bytes > limit {MAX_FILE_BYTES}", now))
                continue
            data = file.path.read_bytes()
        except OSError as error:
            problems.append(_quarantine_row(file.source, "unreadable", error.strerror or str(error), now))
            continue
        if looks_binary(data):
            problems.append(_quarantine_row(file.source, "binary", "contains NUL bytes", now))
            continue
        try:
            text = decode(data)
        except UnicodeDecodeError as error:
            problems.append(_quarantine_row(file.source, "undecodable",
                                            f"not UTF-8/UTF-16: {error.reason} at byte {error.start}", now))
            continue
        rows.append({"source": file.source, "content_type": content_type, "title": _title(text),
                     "text": text, "retrieved_at": now})
    return pl.DataFrame(rows, schema=RAW_SCHEMA), pl.DataFrame(problems, schema=QUARANTINE_SCHEMA)


def _title(text: str) -> str | None:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:300]
    return None


def _quarantine_row(source: str, reason: str, detail: str, now: datetime | None = None) -> dict:
    return {"source": source, "reason": reason, "detail": detail, "doc_id": None,
            "quarantined_at": now or datetime.now(UTC)}
