"""Turning the bytes of one source file into documents: text, Markdown, HTML, PDF and JSON Lines feeds.

Each reader returns a list of `Document` records, or raises `Unreadable` with a reason an operator
can act on. Main-text extraction from HTML is trafilatura's; PDF text is pypdf's text layer.
"""

from __future__ import annotations

import codecs
import io
import json
from dataclasses import dataclass
from typing import Callable

MAX_PDF_PAGES = 500
MAX_FEED_RECORDS = 100_000
MIN_HTML_TEXT_CHARS = 40   # below this, what trafilatura kept is navigation, not an article


class Unreadable(Exception):
    """The input cannot be used; `reason` is a short code, the message says why."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Document:
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    suffix: str = ""          # appended to the source name when one file yields several documents


def decode(data: bytes) -> str:
    """Bytes to text: BOMs honoured (UTF-8, UTF-16), otherwise strict UTF-8."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Unreadable("undecodable", f"not UTF-8/UTF-16: {error.reason} at byte {error.start}") from None


def looks_binary(data: bytes) -> bool:
    """NUL bytes in the first 8 KiB (after any UTF-16 BOM) mark a binary file."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in data[:8192]


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:300]
    return None


def read_text(data: bytes) -> list[Document]:
    if looks_binary(data):
        raise Unreadable("binary", "contains NUL bytes")
    text = decode(data)
    return [Document(text, _first_line(text))]


def read_html(data: bytes) -> list[Document]:
    import trafilatura

    if looks_binary(data):
        raise Unreadable("binary", "contains NUL bytes")
    html = decode(data)
    try:
        extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                                include_tables=True, favor_precision=True)
    except Exception as error:  # trafilatura/lxml raise many kinds on hostile markup
        raise Unreadable("parse_error", f"HTML could not be parsed: {type(error).__name__}") from None
    if extracted is None or len((extracted.text or "").strip()) < MIN_HTML_TEXT_CHARS:
        raise Unreadable("empty", "no main text found in the HTML")
    return [Document(extracted.text, extracted.title, extracted.url, extracted.date)]


def read_pdf(data: bytes) -> list[Document]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Unreadable("parse_error", "PDF is encrypted")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise Unreadable("too_large", f"{len(reader.pages)} pages > limit {MAX_PDF_PAGES}")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except Unreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise Unreadable("parse_error", f"PDF could not be read: {type(error).__name__}: {error}"[:300]) from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise Unreadable("empty", "PDF has no text layer")
    return [Document(text, title or _first_line(text))]


def read_feed(data: bytes) -> list[Document]:
    """JSON Lines of {url, title, text, published}; a bad record fails the whole file with its line."""
    text = decode(data)
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(documents) >= MAX_FEED_RECORDS:
            raise Unreadable("too_large", f"more than {MAX_FEED_RECORDS} records")
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise Unreadable("parse_error", f"line {number}: invalid JSON ({error.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise Unreadable("parse_error", f"line {number}: a record needs a string 'text'")
        documents.append(Document(record["text"], _string(record.get("title")), _string(record.get("url")),
                                  _string(record.get("published")), suffix=f"#{number}"))
    if not documents:
        raise Unreadable("empty", "no records")
    return documents


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


READERS: dict[str, tuple[str, Callable[[bytes], list[Document]]]] = {
    ".txt": ("text/plain", read_text),
    ".text": ("text/plain", read_text),
    ".md": ("text/markdown", read_text),
    ".markdown": ("text/markdown", read_text),
    ".html": ("text/html", read_html),
    ".htm": ("text/html", read_html),
    ".pdf": ("application/pdf", read_pdf),
    ".jsonl": ("application/jsonl", read_feed),
}

# What a web server may declare for a page we can read (feeds are files, not pages).
READERS_BY_MEDIA_TYPE: dict[str, Callable[[bytes], list[Document]]] = {
    "text/html": read_html,
    "application/xhtml+xml": read_html,
    "text/plain": read_text,
    "text/markdown": read_text,
    "text/x-markdown": read_text,
    "application/pdf": read_pdf,
}
