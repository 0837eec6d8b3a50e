import polars as pl

from transforms.summarise import comparison_matrix


def test_matrix_counts_and_conflict():
    claims = pl.DataFrame({
        "doc_id": ["a", "b", "c", "a"],
        "subject": ["ketamine"] * 4,
        "attribute": ["risk", "risk", "risk", "route"],
        "value": ["abuse_potential", "abuse_potential", "abuse_potential", "oral"],
        "negated": [False, False, True, False],
        "hedged": [True, False, False, False],
    })
    matrix = {(r["attribute"], r["value"]): r for r in comparison_matrix(claims).iter_rows(named=True)}
    risk = matrix[("risk", "abuse_potential")]
    assert (risk["n_documents"], risk["n_claims"], risk["n_documents_negating"], risk["conflict"]) == (2, 2, 1, True)
    assert risk["share_hedged"] == 0.5
    assert matrix[("route", "oral")]["conflict"] is False


def test_one_document_saying_both_is_not_a_conflict_of_sources():
    claims = pl.DataFrame({"doc_id": ["a", "a"], "subject": ["esketamine"] * 2, "attribute": ["legal_status"] * 2,
                           "value": ["fda_approved"] * 2, "negated": [False, True], "hedged": [False, False]})
    assert comparison_matrix(claims)["conflict"].to_list() == [False]
