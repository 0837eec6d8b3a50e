"""A small local HTTP server for fetch tests: each path answers as a route tells it to."""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Route = Callable[[dict[str, str], int], Reply]   # (request headers, how often this path was asked) -> reply


@dataclass
class Site:
    base: str
    routes: dict[str, Route]
    hits: Counter

    def url(self, path: str) -> str:
        return self.base + path


def page(body: bytes | str, content_type: str = "text/html; charset=utf-8", **headers: str) -> Route:
    data = body.encode() if isinstance(body, str) else body
    return lambda _headers, _count: Reply(200, data, {"Content-Type": content_type, **headers})


def with_etag(body: str, etag: str) -> Route:
    def route(headers: dict[str, str], _count: int) -> Reply:
        if headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(200, body.encode(), {"Content-Type": "text/html; charset=utf-8", "ETag": etag})
    return route


def status(code: int) -> Route:
    return lambda _headers, _count: Reply(code, b"nothing here", {"Content-Type": "text/plain"})


def redirect(to: str) -> Route:
    return lambda _headers, _count: Reply(302, b"", {"Location": to})


def slow(seconds: float) -> Route:
    return lambda _headers, _count: Reply(200, b"<html>late</html>", {"Content-Type": "text/html"}, delay=seconds)


def flaky(failures: int, then: Route) -> Route:
    """503 for the first `failures` requests, then `then`."""
    return lambda headers, count: Reply(503, b"busy") if count <= failures else then(headers, count)


def gzip_bomb(decompressed_bytes: int) -> Route:
    data = gzip.compress(b"a" * decompressed_bytes)
    return lambda _headers, _count: Reply(200, data, {"Content-Type": "text/plain", "Content-Encoding": "gzip"})


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[Site]:
    hits: Counter = Counter()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            hits[self.path] += 1
            route = routes.get(self.path)
            reply = route({k.lower(): v for k, v in self.headers.items()}, hits[self.path]) if route else Reply(404)
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", routes, hits)
    finally:
        server.shutdown()
        server.server_close()
