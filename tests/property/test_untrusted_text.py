"""Arbitrary text never breaks the cleaner, the segmenter or the extractor, and offsets stay exact."""

from __future__ import annotations

import re
import unicodedata

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.clean import _WHITESPACE_TO_COLLAPSE, clean_batch, clean_documents, in_nfc, normalise_text
from transforms.extract import extract
from transforms.ontology import default_ontology
from transforms.sentences import split_sentences

WORDS = ["ketamine", "psilocybin", "SSRIs", "may", "not", "cause", "nausea", "within", "hours", "weeks", "unlike",
         "than", "faster", "and", ",", ".", "\n", "•", "1.", "U.S.", "e.g.", "’", "—", "é", "😀", "\r\n", "?", "It"]
texty = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=60).map(" ".join)
# the ontology's own phrases side by side: names that overlap ("IV ketamine" / "ketamine infusion"),
# cues inside cues, values next to heads, in every order
_LEXICON = default_ontology().entity_lexicon["phrase"].to_list() + default_ontology().modifier_lexicon["phrase"].to_list()
_PUNCTUATION = [",", ".", ";", ":", "(", ")", "\n", "\n\n", "?", "-", "and", "than", "unlike", "it", "they"]
lexicon_soup = st.lists(st.sampled_from(sorted(set(_LEXICON))) | st.sampled_from(_PUNCTUATION), min_size=1,
                        max_size=40).map(" ".join)


def _raw(text: str) -> pl.DataFrame:
    return pl.DataFrame({"source": ["x.txt"], "content_type": ["text/plain"], "title": [None], "text": [text],
                         "retrieved_at": [None]}).cast({"retrieved_at": pl.Datetime("us", "UTC")})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texty | lexicon_soup)
def test_cleaning_and_extraction_keep_offsets_exact(text):
    documents, quarantine, _ = clean_documents(_raw(text))
    assert documents.height + quarantine.height == 1
    if documents.is_empty():
        return
    doc_text = documents["text"].item()
    for row in split_sentences(documents).iter_rows(named=True):
        assert doc_text[row["char_start"]:row["char_end"]] == row["text"]
    extraction = extract(documents)
    for frame in (extraction.claims, extraction.comparisons):
        for row in frame.iter_rows(named=True):
            assert 0 <= row["char_start"] < row["char_end"] <= len(doc_text)
            assert doc_text[row["char_start"]:row["char_end"]] == row["evidence"]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_text_is_cleaned_without_error(text):
    documents, quarantine, _ = clean_documents(_raw(text))
    assert documents.height + quarantine.height == 1
    if documents.height:
        cleaned = documents["text"].item()
        assert "\r" not in cleaned and cleaned == cleaned.strip()


# text mixing characters that need NFC (combining marks, U+2000, Hangul jamo, CJK compatibility) with
# the ones the shortcut trusts (ASCII, accented Latin, curly quotes, dashes, odd spaces)
_NFC_PROBES = ["e", "\u0301", "\u0308", "\u00e9", "\u2000", "\u2001", "\u2019", "\u2014", "\u00a0", "\u1100", "\u1161",
               "\uf900", "\u212b", "A", " ", "\n", "\u02ff", "\u0300", "\u2070", "\u206f"]
# (no lone surrogates: a document is decoded text, and they cannot be encoded to reach polars at all)
nfc_soup = st.lists(st.sampled_from(_NFC_PROBES) | st.characters(exclude_categories=["Cs"]), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(nfc_soup, min_size=1, max_size=5))
def test_nfc_shortcut_equals_nfc(texts):
    frame = pl.DataFrame({"text": texts})
    shortcut = frame.select(in_nfc(pl.col("text")))["text"].to_list()
    assert shortcut == [unicodedata.normalize("NFC", t) for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from([" ", "\t", "\u00a0", "\u2003", "\x0b", "a", "b", "  "]), max_size=20)
                .map("".join), min_size=1, max_size=5))
def test_whitespace_collapse_equals_any_run_to_one_space(texts):
    frame = pl.DataFrame({"text": texts})
    collapsed = frame.select(pl.col("text").str.replace_all(_WHITESPACE_TO_COLLAPSE, " "))["text"].to_list()
    assert collapsed == [re.sub(r"\s+", " ", t) for t in texts]


# furniture lines among blank lines, spaces, tabs and carriage returns: dropping them leaves text that
# only the blank-line collapse can still change
_LINE_PARTS = ["Advertisement", "Skip to main content", "Comments", "ketamine works", " ", "\t", "\n", "\n\n",
               "\r\n", "é", "e\u0301", "\u200b"]
furnished = st.lists(st.sampled_from(_LINE_PARTS) | st.text(max_size=5), max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(furnished)
def test_cleaned_text_is_normalised_text(text):
    candidates, _, _ = clean_batch(_raw(text))
    if candidates.height:
        cleaned = candidates["text"].item()
        assert pl.select(normalise_text(pl.lit(cleaned))).item() == cleaned
