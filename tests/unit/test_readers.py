"""Readers for each source type, and the reasons bad inputs are quarantined with."""

from __future__ import annotations

import json

import polars as pl

from tests.support.pages import seed_as_html
from transforms.clean import clean_documents
from transforms.extract import extract
from transforms.ingest import discover, read_files


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with a text layer (hand-built: no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _ingest(folder):
    files, missing = discover([folder])
    raw, unreadable = read_files(files)
    documents, dropped, _ = clean_documents(raw)
    return documents, pl.concat([missing, unreadable, dropped])


def test_pdf_feed_and_broken_inputs(tmp_path):
    (tmp_path / "paper.pdf").write_bytes(minimal_pdf("Ketamine acts on NMDA receptors."))
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.4\n garbage without objects")
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"url": "https://example.org/a", "title": "A", "text": "Psilocybin is a Schedule I drug.", "published": "2024-01-02"},
        {"url": "https://example.org/b", "title": "B", "text": "MDMA-assisted therapy is studied for PTSD."},
    ]))
    (tmp_path / "broken.jsonl").write_text('{"text": "fine"}\n{not json}\n')
    (tmp_path / "scripts.html").write_text("<html><body><script>alert('x')</script><nav>Home</nav></body></html>")
    documents, quarantine = _ingest(tmp_path)
    assert sorted(documents["source"]) == ["feed.jsonl#1", "feed.jsonl#2", "paper.pdf"]
    assert "NMDA receptors" in documents.filter(pl.col("source") == "paper.pdf")["text"].item()
    assert documents.filter(pl.col("source") == "feed.jsonl#1")["url"].item() == "https://example.org/a"
    reasons = dict(zip(quarantine["source"], quarantine["reason"]))
    assert reasons == {"corrupt.pdf": "parse_error", "broken.jsonl": "parse_error", "scripts.html": "empty"}
    detail = quarantine.filter(pl.col("source") == "broken.jsonl")["detail"].item()
    assert detail.startswith("line 2")


def test_seed_articles_as_html_pages_give_the_same_claims(tmp_path, seeds_dir):
    for path in sorted(seeds_dir.glob("*.txt")):
        (tmp_path / f"{path.stem}.html").write_text(seed_as_html(path))

    def claims(folder):
        documents, _ = _ingest(folder)
        named = documents.select("doc_id", pl.col("source").str.replace(r"\.(txt|html)$", ""))
        found = extract(documents).claims.join(named, on="doc_id")
        return set(found.select("source", "subject", "attribute", "value", "negated").iter_rows())

    as_text, as_html = claims(seeds_dir), claims(tmp_path)
    assert as_text and as_text == as_html
