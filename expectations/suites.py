"""The suites: one per published table, generated from the ontology, each check named and described.

Checks are plain data here (GX is imported only by `expectations.gate`, which turns them into GX
expectations), so the rules can be listed and tested without the cost of importing GX.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from transforms.ontology import Ontology

THRESHOLDS_PATH = Path(__file__).parent / "thresholds.yaml"
CRITICAL = "critical"
WARNING = "warning"
REGRESSION = "regression"   # critical unless the operator accepted the change


@dataclass(frozen=True)
class Check:
    table: str
    name: str                 # stable name a data engineer can grep for
    expectation: str          # GX expectation class name
    kwargs: dict[str, Any] = field(default_factory=dict)
    severity: str = CRITICAL
    description: str = ""


def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, float]:
    return {k: float(v) for k, v in yaml.safe_load(path.read_bytes()).items()}


def _keys(table: str, columns: list[str]) -> list[Check]:
    checks = [Check(table, f"{table}.{c}.not_null", "ExpectColumnValuesToNotBeNull", {"column": c},
                    description=f"every {table} row has a {c}") for c in columns]
    if len(columns) == 1:
        checks.append(Check(table, f"{table}.{columns[0]}.unique", "ExpectColumnValuesToBeUnique",
                            {"column": columns[0]}, description=f"{columns[0]} identifies one {table} row"))
    else:
        checks.append(Check(table, f"{table}.key.unique", "ExpectCompoundColumnsToBeUnique",
                            {"column_list": columns}, description=f"({', '.join(columns)}) identifies one row"))
    return checks


def _evidence(table: str, with_text: bool) -> list[Check]:
    checks = [
        Check(table, f"{table}.char_start.non_negative", "ExpectColumnValuesToBeBetween",
              {"column": "char_start", "min_value": 0}, description="offsets start at 0 or later"),
        Check(table, f"{table}.offsets.ordered", "ExpectColumnPairValuesAToBeGreaterThanB",
              {"column_A": "char_end", "column_B": "char_start"}, description="char_start < char_end"),
        Check(table, f"{table}.offsets.within_document", "ExpectColumnPairValuesAToBeGreaterThanB",
              {"column_A": "doc_n_chars", "column_B": "char_end", "or_equal": True, "ignore_row_if": "either_value_is_missing"},
              description="char_end <= the document's n_chars"),
        Check(table, f"{table}.doc_id.published_document", "ExpectColumnValuesToBeInSet",
              {"column": "doc_known", "value_set": [True]},
              description=f"every {table} row points at a published document"),
        Check(table, f"{table}.negated.boolean", "ExpectColumnValuesToBeOfType", {"column": "negated", "type_": "bool"},
              description="negated is a boolean"),
        Check(table, f"{table}.hedged.boolean", "ExpectColumnValuesToBeOfType", {"column": "hedged", "type_": "bool"},
              description="hedged is a boolean"),
        Check(table, f"{table}.evidence.not_null", "ExpectColumnValuesToBeInSet",
              {"column": "has_evidence", "value_set": [True]}, description="every row carries a non-empty evidence"),
    ]
    if with_text:
        checks.append(Check(table, f"{table}.evidence.matches_text", "ExpectColumnValuesToBeInSet",
                            {"column": "evidence_matches_text", "value_set": [True]},
                            description="evidence == document text[char_start:char_end]"))
    return checks


def build_checks(ontology: Ontology, previous: dict[str, Any] | None = None, with_text: bool = True,
                 thresholds: dict[str, float] | None = None) -> list[Check]:
    """All checks for the tables to publish; `previous` holds the latest version's statistics."""
    thresholds = thresholds or load_thresholds()
    subjects = sorted(ontology.subjects)
    allowed = ontology.allowed_values()
    pairs = sorted(f"{a}:{v}" for a, values in allowed.items() for v in values)
    checks: list[Check] = [
        *_keys("documents", ["doc_id"]),
        Check("documents", "documents.doc_id.sha256", "ExpectColumnValuesToMatchRegex",
              {"column": "doc_id", "regex": "^[0-9a-f]{64}$"}, description="doc_id is a sha256 hex digest"),
        Check("documents", "documents.n_chars.positive", "ExpectColumnValuesToBeBetween",
              {"column": "n_chars", "min_value": 1}, description="no empty document is published"),
        Check("documents", "documents.source.not_null", "ExpectColumnValuesToNotBeNull", {"column": "source"},
              description="every document names its source"),
        *_keys("claims", ["claim_id"]),
        Check("claims", "claims.subject.in_ontology", "ExpectColumnValuesToBeInSet",
              {"column": "subject", "value_set": subjects}, description="subject is a therapy of the ontology"),
        Check("claims", "claims.attribute.in_ontology", "ExpectColumnValuesToBeInSet",
              {"column": "attribute", "value_set": sorted(allowed)}, description="attribute is in the ontology"),
        Check("claims", "claims.value.allowed_for_attribute", "ExpectColumnValuesToBeInSet",
              {"column": "attribute_value", "value_set": pairs}, description="value is allowed for its attribute"),
        Check("claims", "claims.key.unique", "ExpectCompoundColumnsToBeUnique",
              {"column_list": ["doc_id", "subject", "attribute", "value", "negated"]},
              description="one row per (doc_id, subject, attribute, value, negated)"),
        *_evidence("claims", with_text),
        *_keys("comparisons", ["comparison_id"]),
        Check("comparisons", "comparisons.subject.in_ontology", "ExpectColumnValuesToBeInSet",
              {"column": "subject", "value_set": subjects}, description="subject is a therapy of the ontology"),
        Check("comparisons", "comparisons.object.in_ontology", "ExpectColumnValuesToBeInSet",
              {"column": "object", "value_set": subjects}, description="object is a therapy of the ontology"),
        Check("comparisons", "comparisons.relation.in_vocabulary", "ExpectColumnValuesToBeInSet",
              {"column": "relation", "value_set": ontology.comparison_relations()},
              description="relation is a comparison relation of the vocabulary"),
        Check("comparisons", "comparisons.attribute.comparable", "ExpectColumnValuesToBeInSet",
              {"column": "attribute", "value_set": ontology.comparison_attributes()},
              description="attribute is a comparable attribute of the vocabulary"),
        *_evidence("comparisons", with_text),
        *_keys("comparison_matrix", ["subject", "attribute", "value"]),
        Check("comparison_matrix", "comparison_matrix.n_claims.matches_claims", "ExpectColumnPairValuesToBeEqual",
              {"column_A": "n_claims", "column_B": "n_claims_recomputed"},
              description="n_claims equals the count recomputed from claims"),
        Check("comparison_matrix", "comparison_matrix.n_documents.matches_claims", "ExpectColumnPairValuesToBeEqual",
              {"column_A": "n_documents", "column_B": "n_documents_recomputed"},
              description="n_documents equals the count recomputed from claims"),
        Check("comparison_matrix", "comparison_matrix.share_hedged.range", "ExpectColumnValuesToBeBetween",
              {"column": "share_hedged", "min_value": 0, "max_value": 1}, description="share_hedged is a share"),
        Check("comparison_matrix", "comparison_matrix.conflict.boolean", "ExpectColumnValuesToBeOfType",
              {"column": "conflict", "type_": "bool"}, description="conflict is a boolean"),
        Check("claims", "claims.not_empty", "ExpectTableRowCountToBeBetween", {"min_value": 1}, WARNING,
              "the refresh found at least one claim"),
        *_keys("therapies", ["therapy_id"]),
        Check("therapies", "therapies.therapy_id.in_ontology", "ExpectColumnValuesToBeInSet",
              {"column": "therapy_id", "value_set": subjects}, description="the vocabulary table is the ontology's"),
        Check("therapies", "therapies.complete", "ExpectTableRowCountToEqual", {"value": len(subjects)},
              description="every therapy of the ontology is listed"),
        *_keys("attributes", ["attribute_id"]),
        Check("attributes", "attributes.attribute_id.in_ontology", "ExpectColumnValuesToBeInSet",
              {"column": "attribute_id", "value_set": sorted(allowed)}, description="the vocabulary table is the ontology's"),
        Check("attributes", "attributes.complete", "ExpectTableRowCountToEqual", {"value": len(allowed)},
              description="every attribute of the ontology is listed"),
    ]
    if previous:
        min_claims = math.ceil(previous["n_claims"] * (1 - thresholds["max_claims_drop_share"]))
        checks += [
            Check("claims", "regression.claims.no_large_drop", "ExpectTableRowCountToBeBetween",
                  {"min_value": min_claims}, REGRESSION,
                  f"claims fall by at most {thresholds['max_claims_drop_share']:.0%} "
                  f"against {previous['version']} ({previous['n_claims']} claims)"),
            Check("claims", "regression.subjects.none_disappear", "ExpectColumnDistinctValuesToContainSet",
                  {"column": "subject", "value_set": previous["subjects"]}, REGRESSION,
                  f"every subject of {previous['version']} is still present"),
            Check("claims", "regression.hedged.share_stable", "ExpectColumnMeanToBeBetween",
                  {"column": "hedged", "max_value": min(1.0, previous["share_hedged"]
                                                        + thresholds["max_hedged_share_increase"])}, REGRESSION,
                  f"share of hedged claims rises by at most {thresholds['max_hedged_share_increase']}"),
            Check("claims", "regression.negated.share_stable", "ExpectColumnMeanToBeBetween",
                  {"column": "negated", "max_value": min(1.0, previous["share_negated"]
                                                         + thresholds["max_negated_share_increase"])}, REGRESSION,
                  f"share of negated claims rises by at most {thresholds['max_negated_share_increase']}"),
        ]
    return checks
