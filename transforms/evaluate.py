"""Scoring extracted claims against a gold file, as `spec/annotation.md` defines it.

Main figure: micro precision/recall/F1 over unique (doc, subject, attribute, value) of claims
with negated = false; comparisons likewise over (doc, subject, attribute, relation, object).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

CLAIM_KEY = ["doc", "subject", "attribute", "value"]
COMPARISON_KEY = ["doc", "subject", "attribute", "relation", "object"]


@dataclass
class Score:
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    per_attribute: dict[str, dict[str, float]] = field(default_factory=dict)
    false_positives: list[dict] = field(default_factory=list)
    false_negatives: list[dict] = field(default_factory=list)


@dataclass
class Evaluation:
    claims: Score
    comparisons: Score

    def to_dict(self) -> dict:
        return asdict(self)


def read_gold(path: Path) -> pl.DataFrame:
    """Gold JSON Lines -> frame with doc, subject, attribute, value, relation, object, negated."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    schema = {"doc": pl.String, "subject": pl.String, "attribute": pl.String, "value": pl.String,
              "relation": pl.String, "object": pl.String, "negated": pl.Boolean, "hedged": pl.Boolean,
              "evidence": pl.String}
    return pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema=schema)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 4), round(recall, 4), round(f1, 4)


def score(predicted: pl.DataFrame, gold: pl.DataFrame, key: list[str]) -> Score:
    """Micro P/R/F1 over unique keys of non-negated rows; per attribute as well."""
    pred = predicted.filter(~pl.col("negated")).select(key).unique()
    truth = gold.filter(~pl.col("negated")).select(key).unique()
    tp_rows = pred.join(truth, on=key, how="semi")
    fp_rows = pred.join(truth, on=key, how="anti").sort(key)
    fn_rows = truth.join(pred, on=key, how="anti").sort(key)
    tp, fp, fn = len(tp_rows), len(fp_rows), len(fn_rows)
    per_attribute = {}
    for attribute in sorted(set(pred["attribute"].to_list()) | set(truth["attribute"].to_list())):
        a_tp = tp_rows.filter(pl.col("attribute") == attribute).height
        a_fp = fp_rows.filter(pl.col("attribute") == attribute).height
        a_fn = fn_rows.filter(pl.col("attribute") == attribute).height
        p, r, f = _prf(a_tp, a_fp, a_fn)
        per_attribute[attribute] = {"tp": a_tp, "fp": a_fp, "fn": a_fn, "precision": p, "recall": r, "f1": f}
    p, r, f = _prf(tp, fp, fn)
    return Score(tp, fp, fn, p, r, f, per_attribute, fp_rows.to_dicts(), fn_rows.to_dicts())


def evaluate(claims: pl.DataFrame, comparisons: pl.DataFrame, documents: pl.DataFrame,
             gold: pl.DataFrame) -> Evaluation:
    """Score extraction output (keyed by doc_id) against gold (keyed by document file name)."""
    names = documents.select("doc_id", pl.col("source").str.split("/").list.last().alias("doc"))
    scored_docs = gold.select("doc").unique()
    claims = claims.join(names, on="doc_id").join(scored_docs, on="doc")
    comparisons = comparisons.join(names, on="doc_id").join(scored_docs, on="doc")
    gold_claims = gold.filter(pl.col("value").is_not_null())
    gold_comparisons = gold.filter(pl.col("relation").is_not_null())
    return Evaluation(score(claims, gold_claims, CLAIM_KEY), score(comparisons, gold_comparisons, COMPARISON_KEY))
