"""The quality bar on the bundled gold: a drop below it fails the build."""

from tests.conftest import FIXTURES
from transforms.clean import clean_documents
from transforms.evaluate import evaluate, read_gold
from transforms.extract import extract
from transforms.ingest import discover, read_files


def test_seed_claims_and_comparisons_f1(seeds_dir, seeds_gold):
    files, _ = discover([seeds_dir])
    raw, _ = read_files(files)
    documents, _, _ = clean_documents(raw)
    extraction = extract(documents)
    result = evaluate(extraction.claims, extraction.comparisons, documents, read_gold(seeds_gold))
    assert result.claims.f1 >= 0.90, result.claims
    assert result.comparisons.f1 >= 0.80, result.comparisons


def test_extra_documents_written_for_cases_the_seeds_lack():
    """Brand names, regulatory language, trials, forum text: a guard against overfitting the seeds."""
    folder = FIXTURES / "extra"
    files, _ = discover([folder])
    raw, _ = read_files(files)
    documents, _, _ = clean_documents(raw)
    extraction = extract(documents)
    result = evaluate(extraction.claims, extraction.comparisons, documents, read_gold(FIXTURES / "extra.gold.jsonl"))
    assert result.claims.f1 >= 0.85, result.claims
    assert result.comparisons.f1 >= 0.60, result.comparisons
