"""What changed between two versions: the same counts and rows whether or not documents whose digests
are equal in both are left out of the comparison."""

from __future__ import annotations

import polars as pl

from transforms.digests import document_digests
from transforms.summarise import comparison_matrix
from warehouse.changes import diff_tables
from warehouse.release import unchanged_documents


def _claims(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame([(f"{doc}-{value}", doc, "ketamine", "side_effect", value, False, hedged)
                         for doc, value, hedged in rows], orient="row",
                        schema=["claim_id", "doc_id", "subject", "attribute", "value", "negated", "hedged"])


def _version(claims: pl.DataFrame) -> dict[str, pl.DataFrame]:
    comparisons = pl.DataFrame(schema={c: pl.String for c in
                                       ["comparison_id", "doc_id", "subject", "attribute", "relation", "object"]})
    documents = claims.select("doc_id").unique().with_columns(pl.col("doc_id").alias("source"))
    return {"documents": documents, "claims": claims, "comparisons": comparisons,
            "comparison_matrix": comparison_matrix(claims)}


def test_leaving_out_unchanged_documents_gives_the_same_diff():
    old = _version(_claims([("a", "nausea", False), ("a", "dizziness", False), ("b", "nausea", False),
                            ("c", "insomnia", False)]))
    new = _version(_claims([("a", "nausea", False), ("a", "dizziness", False), ("b", "nausea", True),
                            ("b", "headache", False), ("d", "insomnia", False)]))
    digests = {name: {"claims": document_digests(v["claims"]), "comparisons": document_digests(v["comparisons"])}
               for name, v in (("old", old), ("new", new))}
    unchanged = unchanged_documents(digests["old"], digests["new"])
    assert unchanged["claims"]["doc_id"].to_list() == ["a"]          # b's hedge changed, c went, d came
    full, narrowed = diff_tables(old, new), diff_tables(old, new, unchanged=unchanged)
    assert (full["claims"]["added"], full["claims"]["removed"]) == (2, 1)
    for side in ("added_rows", "removed_rows"):
        listed = [sorted(r["claim_id"] for r in diff["claims"][side]) for diff in (narrowed, full)]
        assert listed[0] == listed[1]
    assert narrowed == full
