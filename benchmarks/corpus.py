"""A deterministic synthetic corpus of realistic web-article text, for benchmarks only.

Documents are built from the bundled seed articles: their sentences shuffled per document with a
seeded generator and their therapy names swapped for other aliases of the ontology, so the text
has the vocabulary, length and variety of real articles without copying one article verbatim.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import polars as pl

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"
SWAPS = {"ketamine": ["ketamine", "esketamine", "Spravato", "ketamine-assisted therapy"],
         "psychedelics": ["psychedelics", "psilocybin", "MDMA", "LSD", "ayahuasca"],
         "antidepressants": ["antidepressants", "SSRIs", "escitalopram", "SNRIs"]}


def _sentences() -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.strip()) > 20]


def generate(n_documents: int, seed: int = 7, sentences_per_document: tuple[int, int] = (25, 45)) -> pl.DataFrame:
    """documents(doc_id, text): n synthetic documents, the same for the same arguments."""
    rng = random.Random(seed)
    pool = _sentences()
    pattern = re.compile("|".join(SWAPS), re.IGNORECASE)
    texts = []
    for i in range(n_documents):
        picked = rng.sample(pool, rng.randint(*sentences_per_document))
        body = " ".join(pattern.sub(lambda m: rng.choice(SWAPS[m.group(0).lower()]), s) for s in picked)
        paragraphs = re.sub(r"((?:[^.]+\.){4})\s", r"\1\n\n", body)
        texts.append(f"Synthetic article {i}\n\n{paragraphs}")
    return pl.DataFrame({"doc_id": [f"bench-{i:07d}" for i in range(n_documents)], "text": texts})
