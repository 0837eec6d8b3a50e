"""Fetching pages by URL: conditional requests, limits, refusals and the reasons failures get."""

from __future__ import annotations

import pytest

from tests.support.webserver import flaky, gzip_bomb, page, redirect, serve, slow, status, with_etag
from transforms.fetch import FetchPolicy, fetch_pages, url_requests

ARTICLE = ("<html><head><title>Ketamine clinic</title></head><body><nav>Home | About</nav><article>"
           "<h1>Ketamine clinic</h1><p>Ketamine infusions are given intravenously in a clinic under supervision."
           " Relief can begin within hours for many patients with treatment-resistant depression.</p>"
           "</article></body></html>")
LOCAL = FetchPolicy(timeout_seconds=1.0, allow_private=True)


def _fetch(site, *paths, policy=LOCAL, validators=None):
    requests = url_requests([site.url(p) for p in paths], ["web"] * len(paths))
    if validators is not None:
        requests = requests.drop("etag", "last_modified").join(validators, on="source", how="left")
    return fetch_pages(requests, policy)


def _reasons(outcome, site):
    return {row["source"].removeprefix(site.base): (row["reason"], row["detail"])
            for row in outcome.quarantine.iter_rows(named=True)}


def test_pages_are_read_by_their_declared_type_and_keep_their_origin():
    routes = {"/a": page(ARTICLE), "/b.txt": page("Psilocybin is a psychedelic.", "text/plain"),
              "/c.md": page("# Notes\n\nLSD is a psychedelic.", "application/octet-stream")}
    with serve(routes) as site:
        outcome = _fetch(site, "/a", "/b.txt", "/c.md")
    pages = {row["source"].removeprefix(site.base): row for row in outcome.pages.iter_rows(named=True)}
    assert set(pages) == {"/a", "/b.txt", "/c.md"}
    assert "intravenously" in pages["/a"]["text"] and "Home | About" not in pages["/a"]["text"]
    assert pages["/a"]["content_type"] == "text/html" and pages["/c.md"]["content_type"] == "text/markdown"
    assert set(outcome.pages["origin"]) == {"web"} and outcome.quarantine.is_empty()


def test_failures_are_quarantined_with_a_reason_and_transient_ones_marked():
    routes = {"/missing": status(404), "/busy": status(503), "/loop": redirect("/loop2"), "/loop2": redirect("/loop"),
              "/image": page(b"\x89PNG\r\n\x1a\n", "image/png"), "/slow": slow(3),
              "/bomb": gzip_bomb(5_000_000), "/ftp": redirect("ftp://example.org/x")}
    with serve(routes) as site:
        outcome = _fetch(site, *routes, policy=FetchPolicy(timeout_seconds=1.0, max_bytes=1_000_000,
                                                           allow_private=True))
    reasons = _reasons(outcome, site)
    assert reasons["/missing"] == ("fetch_error", "HTTP 404 Not Found")
    assert reasons["/busy"][0] == "fetch_error" and "503" in reasons["/busy"][1]
    assert reasons["/loop"][0] == "fetch_error" and "redirect loop" in reasons["/loop"][1]
    assert reasons["/image"] == ("unsupported_type", "served as image/png")
    assert reasons["/slow"][0] == "fetch_error" and "timed out" in reasons["/slow"][1]
    assert reasons["/bomb"][0] == "too_large" and "decompression" in reasons["/bomb"][1]
    assert reasons["/ftp"][0] == "refused_url"
    assert sorted(u.removeprefix(site.base) for u in outcome.transient) == ["/busy", "/slow"]
    assert outcome.pages.is_empty()


def test_private_and_loopback_addresses_are_refused_unless_allowed():
    with serve({"/a": page(ARTICLE)}) as site:
        refused = _fetch(site, "/a", policy=FetchPolicy(timeout_seconds=1.0))
        allowed = _fetch(site, "/a")
    assert _reasons(refused, site)["/a"][0] == "refused_address"
    assert site.hits["/a"] == 1 and allowed.pages.height == 1


def test_a_redirect_to_a_private_address_is_refused_at_the_hop():
    with serve({"/a": page(ARTICLE)}) as site:
        routes = {"/go": redirect(site.url("/a"))}
        with serve(routes) as other:
            outcome = _fetch(other, "/go", policy=FetchPolicy(timeout_seconds=1.0, allow_private=False))
    assert _reasons(outcome, other)["/go"][0] == "refused_address"
    assert site.hits["/a"] == 0


def test_conditional_requests_reuse_the_stored_copy():
    with serve({"/a": with_etag(ARTICLE, '"v1"')}) as site:
        first = _fetch(site, "/a")
        validators = first.pages.select("source", "etag", "last_modified")
        second = _fetch(site, "/a", validators=validators)
    assert first.pages["etag"].to_list() == ['"v1"']
    assert second.pages.is_empty() and second.not_modified["source"].to_list() == [site.url("/a")]


def test_a_declared_charset_is_honoured():
    body = "<html><body><article><p>Ketamine est un anesthésique utilisé contre la dépression résistante, " \
           "avec un effet rapide.</p></article></body></html>"
    with serve({"/latin": page(body.encode("latin-1"), "text/html; charset=iso-8859-1")}) as site:
        outcome = _fetch(site, "/latin")
    assert "anesthésique" in outcome.pages["text"][0]


@pytest.mark.parametrize("failures, transient", [(1, True), (0, False)])
def test_a_busy_server_is_a_transient_failure(failures, transient):
    with serve({"/a": flaky(failures, page(ARTICLE))}) as site:
        outcome = _fetch(site, "/a")
    assert bool(outcome.transient) is transient
