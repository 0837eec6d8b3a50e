"""A deterministic synthetic corpus of realistic web-article text, for benchmarks only.

Documents are built from the bundled seed articles: their sentences shuffled per document with a
seeded generator and their therapy names swapped for other aliases of the ontology, so the text
has the vocabulary, length and variety of real articles without copying one article verbatim.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"
SWAPS = {"ketamine": ["ketamine", "esketamine", "Spravato", "ketamine-assisted therapy"],
         "psychedelics": ["psychedelics", "psilocybin", "MDMA", "LSD", "ayahuasca"],
         "antidepressants": ["antidepressants", "SSRIs", "escitalopram", "SNRIs"]}


def _sentences() -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.strip()) > 20]


def iter_texts(n_documents: int, seed: int = 7, sentences_per_document: tuple[int, int] = (25, 45)
               ) -> Iterator[str]:
    """n synthetic article texts, one at a time, the same for the same arguments."""
    rng = random.Random(seed)
    pool = _sentences()
    pattern = re.compile("|".join(SWAPS), re.IGNORECASE)
    for i in range(n_documents):
        picked = rng.sample(pool, rng.randint(*sentences_per_document))
        body = " ".join(pattern.sub(lambda m: rng.choice(SWAPS[m.group(0).lower()]), s) for s in picked)
        paragraphs = re.sub(r"((?:[^.]+\.){4})\s", r"\1\n\n", body)
        yield f"Synthetic article {i}\n\n{paragraphs}"


def generate(n_documents: int, seed: int = 7, sentences_per_document: tuple[int, int] = (25, 45)) -> pl.DataFrame:
    """documents(doc_id, text): n synthetic documents, the same for the same arguments."""
    texts = list(iter_texts(n_documents, seed, sentences_per_document))
    return pl.DataFrame({"doc_id": [f"bench-{i:07d}" for i in range(n_documents)], "text": texts})


def write_corpus(folder: Path, n_documents: int, seed: int = 7) -> int:
    """The corpus as text files (1,000 per subfolder); returns the bytes written."""
    written = 0
    for i, text in enumerate(iter_texts(n_documents, seed)):
        path = folder / f"{i // 1000:04d}" / f"article-{i:07d}.txt"
        if i % 1000 == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        written += path.write_bytes(text.encode("utf-8"))
    return written


def change_some(folder: Path, share: float, seed: int = 11) -> int:
    """Append a new sentence to a deterministic `share` of the corpus's files; returns how many."""
    files = sorted(folder.rglob("*.txt"))
    picked = random.Random(seed).sample(files, max(1, round(len(files) * share)))
    for n, path in enumerate(picked):
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"\n\nUpdate {seed}-{n}: ketamine infusions are now offered at a second clinic.\n")
    return len(picked)
