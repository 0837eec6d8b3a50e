"""Extraction throughput: the polars extractor against a plain spaCy pipeline on the same text.

    make bench                      # 100 MB, spaCy on the same text
    python -m benchmarks.extraction --mb 20 --spacy-mb 5

spaCy: blank English, sentencizer, PhraseMatcher (LOWER) over the ontology's subject and value
phrases: segmentation and matching only, the part of our work it can do.
"""

from __future__ import annotations

import argparse
import time

import polars as pl

from benchmarks.corpus import generate
from transforms.extract import extract
from transforms.ontology import default_ontology


def _mb(frame: pl.DataFrame) -> float:
    return frame["text"].str.len_bytes().sum() / 1e6


def bench_polars(documents: pl.DataFrame) -> tuple[float, int]:
    started = time.perf_counter()
    extraction = extract(documents)
    return time.perf_counter() - started, extraction.claims.height


def bench_spacy(documents: pl.DataFrame) -> tuple[float, int]:
    import spacy
    from spacy.matcher import PhraseMatcher

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    phrases = default_ontology().entities["phrase"].unique().to_list()
    matcher.add("lexicon", list(nlp.tokenizer.pipe(phrases)))
    started = time.perf_counter()
    n_matches = 0
    for doc in nlp.pipe(documents["text"].to_list(), batch_size=64):
        n_matches += len(matcher(doc))
        sum(1 for _ in doc.sents)
    return time.perf_counter() - started, n_matches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=100.0, help="corpus size in MB (default 100)")
    parser.add_argument("--spacy-mb", type=float, default=None, help="spaCy on the first N MB only (default: all)")
    args = parser.parse_args()
    per_doc = generate(50).pipe(_mb) / 50
    documents = generate(max(1, int(args.mb / per_doc)))
    size = _mb(documents)
    print(f"corpus: {documents.height} documents, {size:.1f} MB")
    default_ontology()
    seconds, n_claims = bench_polars(documents)
    ours = size / seconds
    print(f"polars extractor : {seconds:7.2f} s  {ours:7.1f} MB/s  ({n_claims} claims)")
    sample = documents
    if args.spacy_mb:
        sample = documents.head(max(1, int(args.spacy_mb / per_doc)))
    seconds, n_matches = bench_spacy(sample)
    theirs = _mb(sample) / seconds
    print(f"spaCy pipeline   : {seconds:7.2f} s  {theirs:7.1f} MB/s  ({n_matches} phrase matches, {_mb(sample):.1f} MB)")
    print(f"speed-up         : {ours / theirs:7.1f}x")


if __name__ == "__main__":
    main()
