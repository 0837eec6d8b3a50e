import polars as pl

from transforms.textfold import fold_expr, fold_phrase


def test_fold_keeps_one_character_per_character():
    text = "Ketamine’s “rapid” effect—within hours • 5‑HT2A é 😀"
    folded = pl.select(fold_expr(pl.lit(text))).item()
    assert len(folded) == len(text)
    assert len(folded.encode()) == len(text)  # byte offsets equal character offsets
    assert folded.startswith("ketamine's \"rapid\" effect-within hours * 5-ht2a _ _")


def test_fold_phrase_matches_fold_expr():
    assert fold_phrase("Treatment‑Resistant  Depression") == "treatment-resistant depression"
