import polars as pl

from tests.conftest import docs_frame
from transforms.mentions import find_mentions, with_word_view
from transforms.sentences import split_sentences


def _lexicon(*phrases: str) -> pl.DataFrame:
    return pl.DataFrame({"phrase": list(phrases), "role": ["x"] * len(phrases)})


def test_longest_phrase_wins_and_word_boundaries_hold():
    sentences = split_sentences(docs_frame("Treatment-resistant depression; painful depressions; pain."))
    found = find_mentions(sentences, _lexicon("depression", "treatment-resistant depression", "pain"))
    assert found.sort("start").select("phrase", "start").rows() == [("treatment-resistant depression", 0), ("pain", 53)]


def test_offsets_are_characters_after_non_ascii_text():
    text = "Ünïcödé “quotes” then ketamine."
    sentences = split_sentences(docs_frame(text))
    found = find_mentions(sentences, _lexicon("ketamine"))
    start = found["start"].item()
    assert text[start:start + len("ketamine")] == "ketamine"


def test_a_word_view_built_beforehand_finds_the_same_mentions():
    sentences = split_sentences(docs_frame("Well-tolerated (mostly); ketamine, then psilocybin. No ketamines here!"))
    lexicon = _lexicon("well tolerated", "ketamine", "psilocybin", ";")
    built_here = find_mentions(sentences, lexicon)
    assert built_here.height == 4
    assert find_mentions(with_word_view(sentences), lexicon).equals(built_here)
