import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _matrix_by_distinct_counts(claims: pl.DataFrame) -> pl.DataFrame:
    """The matrix by its definition, counting distinct documents: what the fast sums must equal."""
    asserted = ~pl.col("negated")
    cells = claims.group_by(["subject", "attribute", "value"]).agg(
        pl.col("doc_id").filter(asserted).n_unique().cast(pl.Int64).alias("n_documents"),
        asserted.sum().cast(pl.Int64).alias("n_claims"),
        pl.col("doc_id").filter(pl.col("negated")).n_unique().cast(pl.Int64).alias("n_documents_negating"),
        pl.col("doc_id").n_unique().alias("sources"))
    contested = (pl.col("n_documents") > 0) & (pl.col("n_documents_negating") > 0) & (pl.col("sources") > 1)
    return (cells.with_columns(contested.any().over(["subject", "attribute"]).alias("conflict"))
            .select("subject", "attribute", "value", "n_documents", "n_claims", "n_documents_negating", "conflict")
            .sort("subject", "attribute", "value"))


_claim_keys = st.tuples(st.sampled_from("abcd"), st.sampled_from(["ketamine", "psilocybin"]),
                        st.sampled_from(["risk", "route"]), st.sampled_from(["x", "y"]), st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_claim_keys, st.booleans()), max_size=40, unique_by=lambda row: row[0]))
def test_matrix_counts_equal_distinct_document_counts_when_claim_keys_are_unique(rows):
    claims = pl.DataFrame([(*key, hedged) for key, hedged in rows], orient="row",
                          schema={"doc_id": pl.String, "subject": pl.String, "attribute": pl.String,
                                  "value": pl.String, "negated": pl.Boolean, "hedged": pl.Boolean})
    fast = comparison_matrix(claims).drop("share_hedged")
    assert fast.equals(_matrix_by_distinct_counts(claims))
