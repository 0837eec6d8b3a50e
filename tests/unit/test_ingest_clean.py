import codecs
import os

import polars as pl

from transforms.clean import clean_documents
import transforms.ingest as ingest
from transforms.ingest import discover, read_files


def _write(folder, name, data: bytes):
    path = folder / name
    path.write_bytes(data)
    return path


def test_good_and_bad_files(tmp_path):
    _write(tmp_path, "good.txt", "Ketamine acts fast.\r\nIt is an anesthetic.\n".encode())
    _write(tmp_path, "bom16.md", codecs.BOM_UTF16_LE + "# Title\nPsilocybin is studied.".encode("utf-16-le"))
    _write(tmp_path, "copy.txt", "Ketamine acts fast.\nIt is an anesthetic.".encode())
    _write(tmp_path, "empty.txt", b"   \n\n")
    _write(tmp_path, "binary.txt", b"\x00\x01\x02junk")
    _write(tmp_path, "latin1.txt", "caf\xe9".encode("latin-1"))
    _write(tmp_path, "image.png", b"\x89PNG")
    files, missing = discover([tmp_path])
    raw, unreadable = read_files(files)
    documents, dropped, _ = clean_documents(raw)
    reasons = dict(zip(*pl.concat([missing, unreadable, dropped]).select("source", "reason")))
    assert reasons == {"binary.txt": "binary", "latin1.txt": "undecodable", "image.png": "unsupported_type",
                       "empty.txt": "empty", "good.txt": "duplicate"}
    assert sorted(documents["source"]) == ["bom16.md", "copy.txt"]
    text = documents.filter(pl.col("source") == "copy.txt")["text"].item()
    assert "\r" not in text


def test_symlink_out_of_root_is_quarantined(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.txt").symlink_to(outside)
    files, problems = discover([root])
    assert files.is_empty()
    assert problems["reason"].to_list() == ["outside_root"]


def test_furniture_lines_are_dropped_and_counted():
    raw = pl.DataFrame({"source": ["a.txt"], "content_type": ["text/plain"], "title": ["t"],
                        "text": ["Skip to main content\nKetamine acts fast.\nLeave a Comment\nPrevious\nNext"],
                        "retrieved_at": [None]}).cast({"retrieved_at": pl.Datetime("us", "UTC")})
    documents, _, counts = clean_documents(raw)
    assert documents["text"].item() == "Ketamine acts fast."
    dropped = dict(zip(counts["rule"], counts["lines_dropped"]))
    assert dropped["skip_link"] == 1 and dropped["comments"] == 1 and dropped["pager"] == 2


def test_a_journal_pages_index_terms_are_furniture():
    raw = pl.DataFrame({"source": ["a.txt"], "content_type": ["text/plain"], "title": ["t"],
                        "text": ["Ketamine acts fast.\nKeywords: ketamine; NMDA receptor; depression"],
                        "retrieved_at": [None]}).cast({"retrieved_at": pl.Datetime("us", "UTC")})
    documents, _, counts = clean_documents(raw)
    assert documents["text"].item() == "Ketamine acts fast."
    assert dict(zip(counts["rule"], counts["lines_dropped"]))["keywords"] == 1


def test_nfc_normalisation_gives_stable_doc_id():
    raw = pl.DataFrame({"source": ["a.txt", "b.txt"], "content_type": ["text/plain"] * 2, "title": [None, None],
                        "text": ["Cafe\u0301 ketamine", "Caf\u00e9 ketamine"], "retrieved_at": [None, None]}
                       ).cast({"retrieved_at": pl.Datetime("us", "UTC")})
    documents, dropped, _ = clean_documents(raw)
    assert documents.height == 1 and dropped["reason"].to_list() == ["duplicate"]


def test_syndicated_copy_with_other_header_and_footer_is_a_near_duplicate(seeds_dir):
    article = sorted(seeds_dir.glob("*.txt"))[2].read_text()
    texts = {"a_original.txt": article,
             "b_syndicated.txt": "Reposted from Health Daily\n\n" + article.replace("\n\n", "\n") + "\n\nShare your thoughts below",
             "c_other.txt": sorted(seeds_dir.glob("*.txt"))[4].read_text()}
    raw = pl.DataFrame({"source": list(texts), "content_type": ["text/plain"] * 3, "title": [None] * 3,
                        "text": list(texts.values()), "retrieved_at": [None] * 3}
                       ).cast({"retrieved_at": pl.Datetime("us", "UTC")})
    documents, dropped, _ = clean_documents(raw)
    assert sorted(documents["source"]) == ["a_original.txt", "c_other.txt"]
    assert dropped.select("source", "reason").rows() == [("b_syndicated.txt", "near_duplicate")]
    assert "a_original.txt" in dropped["detail"].item()


def test_a_file_is_read_whole_up_to_the_cap_and_one_byte_past_it(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 10)
    _write(tmp_path, "at_cap.txt", b"k" * 10)
    _write(tmp_path, "over.txt", b"k" * 25)
    raw, problems = read_files(discover([tmp_path])[0])
    assert raw["text"].to_list() == ["k" * 10]
    assert problems.select("source", "reason").rows() == [("over.txt", "too_large")]
    assert raw["retrieved_at"].dtype == ingest.RAW_SCHEMA["retrieved_at"]


def test_a_file_that_grew_since_its_size_was_taken_is_read_on(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 10)
    grown = _write(tmp_path, "grown.txt", b"k" * 8)
    real_fstat = os.fstat

    def stale_size(fd):             # the size the file had before a writer appended to it
        result = real_fstat(fd)
        return os.stat_result((*result[:6], 3, *result[7:]))

    monkeypatch.setattr(ingest.os, "fstat", stale_size)
    assert ingest._read_capped(str(grown)) == b"k" * 8
    grown.write_bytes(b"k" * 30)
    assert len(ingest._read_capped(str(grown))) == 11


def test_the_items_of_a_related_links_list_are_furniture_and_the_list_ends_at_its_first_other_line():
    text = ("Ketamine acts fast.\nRelated stories\n- What to know about ketamine clinics\n* Can psychedelics treat PTSD?\n"
            "\n- Ketamine is given as an infusion.\nSee also: Psilocybin · LSD\nRelated: Ketamine clinics are booming.")
    raw = pl.DataFrame({"source": ["a.txt"], "content_type": ["text/plain"], "title": ["t"], "text": [text],
                        "retrieved_at": [None]}).cast({"retrieved_at": pl.Datetime("us", "UTC")})
    documents, _, counts = clean_documents(raw)
    # the list under the heading goes; a bullet after a blank line is text again
    assert documents["text"].item() == "Ketamine acts fast.\n\n- Ketamine is given as an infusion."
    dropped = dict(zip(counts["rule"], counts["lines_dropped"]))
    assert dropped["link_list"] == 2 and dropped["related"] == 1 and dropped["link_to_another_page"] == 2
