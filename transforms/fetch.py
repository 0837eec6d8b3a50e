"""Fetching web pages named by URL into raw document rows, politely and defensively.

One function, `fetch_pages`, takes a batch of requests (URL, origin, and the ETag and
Last-Modified the warehouse remembers) and returns the pages downloaded, the URLs the server said are unchanged
(304: the stored copy is reused, nothing is downloaded), quarantine rows, and which failures may
pass on a later attempt. Retrying is the caller's business (Prefect task retries in `flows/`).

Untrusted input: only http and https; every hop of a redirect is checked again; hosts resolving to
private, loopback, link-local or reserved addresses are refused unless the policy allows them; the
body is read as a stream and abandoned beyond the size cap (counted after decompression, so a
small gzip bomb is stopped too) or past the overall deadline.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from pathlib import PurePosixPath
from typing import Callable
from urllib.parse import urljoin, urlsplit

import httpx
import polars as pl

from transforms.ingest import MAX_FILE_BYTES, QUARANTINE_SCHEMA, RAW_SCHEMA, quarantine_row
from transforms.manifest import Source
from transforms.readers import READERS, READERS_BY_MEDIA_TYPE, Document, Unreadable

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = "kvp/0.1 (evidence dataset builder; +https://github.com/)"

# What the warehouse keeps per fetched page: the validators for conditional requests and the
# reader's output, so that a 304 can be answered from the stored copy.
PAGE_SCHEMA = {**RAW_SCHEMA, "etag": pl.String, "last_modified": pl.String}
REQUEST_SCHEMA = {"source": pl.String, "origin": pl.String, "etag": pl.String, "last_modified": pl.String}
NOT_MODIFIED_SCHEMA = {"source": pl.String, "origin": pl.String}


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one refresh's downloads."""

    timeout_seconds: float = 20.0
    max_bytes: int = MAX_FILE_BYTES
    max_redirects: int = 5
    allow_private: bool = False


@dataclass
class FetchOutcome:
    pages: pl.DataFrame                      # PAGE_SCHEMA: pages downloaded and read
    not_modified: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=NOT_MODIFIED_SCHEMA))
    quarantine: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=QUARANTINE_SCHEMA))
    transient: list[str] = field(default_factory=list)   # failed URLs worth another attempt


class FetchFailed(Exception):
    """One URL could not be fetched; `transient` failures (timeouts, 5xx, 429) may pass on retry."""

    def __init__(self, reason: str, detail: str, transient: bool = False):
        super().__init__(detail)
        self.reason, self.detail, self.transient = reason, detail, transient


class TransientFetchErrors(Exception):
    """Raised by a fetch task when some URLs failed transiently; carries the batch's outcome."""

    def __init__(self, outcome: FetchOutcome):
        super().__init__(f"{len(outcome.transient)} URL(s) failed transiently: {', '.join(outcome.transient[:5])}")
        self.outcome = outcome


def url_requests(urls: list[str], origins: list[str]) -> pl.DataFrame:
    """Requests for these URLs (first origin wins for a URL named twice), without validators."""
    return (pl.DataFrame({"source": urls, "origin": origins}, schema={"source": pl.String, "origin": pl.String})
            .unique("source", keep="first", maintain_order=True)
            .with_columns(pl.lit(None, pl.String).alias("etag"), pl.lit(None, pl.String).alias("last_modified")))


def requests_for(sources: list[Source]) -> pl.DataFrame:
    """Requests for every URL the sources name (url and url_list sources)."""
    pairs = [(url, source.name) for source in sources for url in source.urls]
    return url_requests([u for u, _ in pairs], [o for _, o in pairs])


def fetch_pages(requests: pl.DataFrame, policy: FetchPolicy | None = None,
                now: datetime | None = None) -> FetchOutcome:
    """Fetch each requested URL once, conditionally when the request carries validators."""
    policy = policy or FetchPolicy()
    now = now or datetime.now(UTC)
    pages, problems, not_modified, transient = [], [], [], []
    with httpx.Client(timeout=policy.timeout_seconds, follow_redirects=False,
                      headers={"User-Agent": USER_AGENT}) as client:
        for request in requests.cast(REQUEST_SCHEMA).iter_rows(named=True):
            url, origin = request["source"], request["origin"] or request["source"]
            try:
                page = _fetch_one(client, url, request, policy, now)
            except FetchFailed as failure:
                problems.append(quarantine_row(url, failure.reason, failure.detail, now, origin))
                if failure.transient:
                    transient.append(url)
                continue
            except Unreadable as error:
                problems.append(quarantine_row(url, error.reason, error.detail, now, origin))
                continue
            if page is None:
                not_modified.append({"source": url, "origin": origin})
            else:
                pages.extend({**row, "origin": origin} for row in page)
    return FetchOutcome(pl.DataFrame(pages, schema=PAGE_SCHEMA),
                        pl.DataFrame(not_modified, schema=NOT_MODIFIED_SCHEMA),
                        pl.DataFrame(problems, schema=QUARANTINE_SCHEMA), transient)


def retry_requests(requests: pl.DataFrame, outcomes: list[FetchOutcome]) -> pl.DataFrame:
    """The requests whose URLs failed transiently in `outcomes`: the ones worth another attempt."""
    transient = [url for outcome in outcomes for url in outcome.transient]
    return requests.filter(pl.col("source").is_in(transient))


def settle(first: list[FetchOutcome], retried: list[FetchOutcome]) -> list[FetchOutcome]:
    """First attempts with the quarantine rows of retried URLs replaced by the retries' outcomes."""
    again = {url for outcome in retried
             for frame in (outcome.pages, outcome.not_modified, outcome.quarantine) for url in frame["source"]}
    kept = [FetchOutcome(o.pages, o.not_modified, o.quarantine.filter(~pl.col("source").is_in(list(again))),
                         [u for u in o.transient if u not in again]) for o in first]
    return kept + retried


def _fetch_one(client: httpx.Client, url: str, validator: dict, policy: FetchPolicy,
               now: datetime) -> list[dict] | None:
    """Rows for the page at `url`, or None when the server says it has not changed."""
    deadline = time.monotonic() + policy.timeout_seconds
    headers = {}
    if validator.get("etag"):
        headers["If-None-Match"] = validator["etag"]
    if validator.get("last_modified"):
        headers["If-Modified-Since"] = validator["last_modified"]
    seen, current = {url}, url
    for _hop in range(policy.max_redirects + 1):
        _check_target(current, policy.allow_private)
        try:
            with client.stream("GET", current, headers=headers) as response:
                if response.status_code == 304 and headers:
                    return None
                if response.status_code in REDIRECT_STATUSES and response.headers.get("location"):
                    nxt = urljoin(current, response.headers["location"])
                    if nxt in seen:
                        raise FetchFailed("fetch_error", f"redirect loop at {nxt}")
                    seen.add(nxt)
                    current = nxt
                    continue
                if response.status_code != 200:
                    raise FetchFailed("fetch_error", f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                                      transient=response.status_code in TRANSIENT_STATUSES)
                media_type, charset = _content_type(response.headers.get("content-type"))
                media_type, read = _reader_for(media_type, current)
                body = _read_body(response, policy, deadline)
                etag, last_modified = response.headers.get("etag"), response.headers.get("last-modified")
        except httpx.TimeoutException:
            raise FetchFailed("fetch_error", f"timed out after {policy.timeout_seconds:g} s", transient=True) from None
        except httpx.TransportError as error:
            raise FetchFailed("fetch_error", f"{type(error).__name__}: {error}"[:300], transient=True) from None
        body = _transcode(body, charset)
        return [{"source": url + d.suffix, "content_type": media_type, "title": d.title,
                 "url": d.url or current, "published": d.published, "text": d.text, "retrieved_at": now,
                 "etag": etag, "last_modified": last_modified} for d in read(body)]
    raise FetchFailed("fetch_error", f"more than {policy.max_redirects} redirects")


def _check_target(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise FetchFailed("refused_url", f"only http and https are fetched, not {parts.scheme or 'no scheme'}")
    if not parts.hostname:
        raise FetchFailed("refused_url", "the URL names no host")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchFailed("fetch_error", f"cannot resolve {parts.hostname}: {error.strerror}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchFailed("refused_address", f"{parts.hostname} resolves to non-public address {address} "
                                                 "(allow with --allow-private-urls)")


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    message = Message()
    message["content-type"] = header
    return message.get_content_type().lower(), message.get_param("charset")


def _reader_for(media_type: str | None, url: str) -> tuple[str, Callable[[bytes], list[Document]]]:
    """The reader for a declared media type, or for the path's suffix when none is declared."""
    if media_type in READERS_BY_MEDIA_TYPE:
        return media_type, READERS_BY_MEDIA_TYPE[media_type]
    if media_type in (None, "application/octet-stream"):
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
        if suffix in READERS and suffix != ".jsonl":
            return READERS[suffix]
    raise FetchFailed("unsupported_type", f"served as {media_type or 'an undeclared type'}")


def _read_body(response: httpx.Response, policy: FetchPolicy, deadline: float) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchFailed("too_large", f"{declared} bytes declared > limit {policy.max_bytes}")
    chunks, size = [], 0
    for chunk in response.iter_bytes():          # decoded: the cap applies after decompression
        size += len(chunk)
        if size > policy.max_bytes:
            raise FetchFailed("too_large", f"more than {policy.max_bytes} bytes (after decompression)")
        if time.monotonic() > deadline:
            raise FetchFailed("fetch_error", f"timed out after {policy.timeout_seconds:g} s", transient=True)
        chunks.append(chunk)
    return b"".join(chunks)


def _transcode(body: bytes, charset: str | None) -> bytes:
    """Readers expect UTF-8 (or a BOM); a declared other charset is decoded here."""
    if not charset or charset.lower().replace("_", "-") in {"utf-8", "utf8", "us-ascii", "ascii"}:
        return body
    try:
        return body.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError) as error:
        raise Unreadable("undecodable", f"not valid {charset}: {error}"[:300]) from None
