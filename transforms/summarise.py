"""The headline "versus" view and the vocabulary tables, derived from claims and the ontology."""

from __future__ import annotations

import polars as pl

from transforms.ontology import Ontology

MATRIX_KEY = ["subject", "attribute", "value"]
MATRIX_SCHEMA = {"subject": pl.String, "attribute": pl.String, "value": pl.String, "n_documents": pl.Int64,
                 "n_claims": pl.Int64, "share_hedged": pl.Float64, "n_documents_negating": pl.Int64,
                 "conflict": pl.Boolean}


def comparison_matrix(claims: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """One row per (subject, attribute, value) any claim names.

    `conflict` is true for every value of a (subject, attribute) where some value is asserted by
    one document and negated by another (a document that says both is not a conflict of sources).

    A document has at most one claim per (subject, attribute, value, negated): the claim id is the hash
    of that key and the gate refuses a release where it repeats (`claims.key.unique`). So documents are
    counted by counting claims, and "more than one source" is a smallest doc_id unlike the largest:
    three distinct-counts of doc_id per cell took 2.5-3 s of 4.4 million claims, these sums 0.4 s.
    The gate recounts documents independently (`expectations.batches.recomputed_matrix_counts`).
    """
    asserted = ~pl.col("negated")
    # a lazy scan is aggregated by the streaming engine: the claims are never all in memory
    matrix = claims.lazy().select(*MATRIX_KEY, "doc_id", "negated", "hedged").group_by(MATRIX_KEY).agg(
        asserted.sum().cast(pl.Int64).alias("n_documents"),
        pl.col("hedged").filter(asserted).mean().fill_null(0.0).alias("share_hedged"),
        pl.col("negated").sum().cast(pl.Int64).alias("n_documents_negating"),
        (pl.col("doc_id").min() != pl.col("doc_id").max()).alias("_several_sources"),
    )
    contested = (pl.col("n_documents") > 0) & (pl.col("n_documents_negating") > 0) & pl.col("_several_sources")
    return (
        matrix.collect(engine="streaming")
        .with_columns(pl.col("n_documents").alias("n_claims"),
                      contested.any().over(["subject", "attribute"]).alias("conflict"))
        .drop("_several_sources")
        .select(list(MATRIX_SCHEMA))
        .sort(MATRIX_KEY)
        .cast(MATRIX_SCHEMA)
    )


def therapies_table(ontology: Ontology) -> pl.DataFrame:
    rows = [{"therapy_id": sid, "label": spec.get("label", sid), "kind": spec.get("kind"),
             "parent": spec.get("parent")} for sid, spec in ontology.subjects.items()]
    return pl.DataFrame(rows, schema={"therapy_id": pl.String, "label": pl.String, "kind": pl.String,
                                      "parent": pl.String})


def attributes_table(ontology: Ontology) -> pl.DataFrame:
    allowed = ontology.allowed_values()
    comparable = set(ontology.comparison_attributes())
    rows = [{"attribute_id": aid, "label": spec.get("label", aid), "description": spec.get("description", ""),
             "allowed_values": allowed[aid], "comparable": aid in comparable}
            for aid, spec in ontology.attributes.items()]
    return pl.DataFrame(rows, schema={"attribute_id": pl.String, "label": pl.String, "description": pl.String,
                                      "allowed_values": pl.List(pl.String), "comparable": pl.Boolean})
