"""From mentions to claims: context, negation and hedging, subject attribution.

Every step is a join over mention frames (no loop per sentence):

1. value candidates keep the reading whose context holds (`needs`/`excludes` groups);
2. negation and hedging in the manner of ConText: the nearest cue before the value, in the
   same clause (no terminator between), within the cue's window;
3. the subject is the nearest subject group before the value in its sentence, else the head
   subject carried over from the previous sentences; coordinated subjects ("ketamine and
   psychedelic therapies") share a group, examples ("compounds like LSD") yield to their head.
"""

from __future__ import annotations

import polars as pl

SENTENCE_KEY = ["doc_id", "sentence_no"]
_COORDINATION_GAP = r"^(?:\s|,|and|or|&|/|as well as|\(|\)|both|either)*$"
_EXAMPLE_REACH = 80


def _asof_before(left: pl.DataFrame, right: pl.DataFrame, left_on: str, right_on: str,
                 suffix_cols: list[str]) -> pl.DataFrame:
    """For each left row, the last right row (same sentence) whose `right_on` <= left `left_on`."""
    right = right.select(*SENTENCE_KEY, pl.col(right_on).alias("_key"), *suffix_cols).sort("_key")
    joined = left.sort(left_on).join_asof(right, left_on=left_on, right_on="_key", by=SENTENCE_KEY,
                                          strategy="backward", check_sortedness=False)
    return joined.drop("_key")


def resolve_context(values: pl.DataFrame, contexts: pl.DataFrame) -> pl.DataFrame:
    """Keep, per value mention, the readings whose context holds; nearest satisfied context wins."""
    values = values.with_columns(pl.int_range(pl.len()).alias("_cand"))
    ctx = contexts.select(*SENTENCE_KEY, pl.col("start").alias("c_start"), pl.col("end").alias("c_end"),
                          pl.col("group"), pl.col("window").alias("c_window"))
    gap = pl.max_horizontal(pl.col("c_start") - pl.col("end"), pl.col("start") - pl.col("c_end"), pl.lit(0))

    needs = (
        values.filter(pl.col("needs").is_not_null())
        .join(ctx, left_on=[*SENTENCE_KEY, "needs"], right_on=[*SENTENCE_KEY, "group"])
        .filter(gap <= pl.col("c_window"))
        .group_by("_cand")
        .agg(gap.min().alias("_distance"))
    )
    excluded = (
        values.filter(pl.col("excludes").is_not_null())
        .join(ctx, left_on=[*SENTENCE_KEY, "excludes"], right_on=[*SENTENCE_KEY, "group"])
        .filter(gap <= pl.col("c_window"))
        .select("_cand")
        .unique()
    )
    scored = (
        values.join(excluded, on="_cand", how="anti")
        .join(needs, on="_cand", how="left")
        .filter(pl.col("needs").is_null() | pl.col("_distance").is_not_null())
    )
    mention = [*SENTENCE_KEY, "start"]
    best = pl.col("_distance").min().over(mention)
    has_contextual = pl.col("_distance").is_not_null().any().over(mention)
    return scored.filter(
        pl.when(has_contextual).then(pl.col("_distance") == best).otherwise(pl.col("needs").is_null())
    ).drop("_cand", "_distance")


def apply_modifiers(values: pl.DataFrame, cues: pl.DataFrame) -> pl.DataFrame:
    """Add `negated` and `hedged` to each value mention."""

    def last(role: str, group: str | None, name: str, with_window: bool) -> pl.DataFrame:
        frame = cues.filter(pl.col("role") == role)
        if group:
            frame = frame.filter(pl.col("group") == group)
        cols = [pl.col("start").alias(f"{name}_start"), pl.col("end").alias(f"{name}_end")]
        if with_window:
            cols.append(pl.col("window").alias(f"{name}_window"))
        return frame.select(*SENTENCE_KEY, "start", *cols).unique([*SENTENCE_KEY, "start"])

    out = values
    for frame, name in ((last("negation", None, "neg", True), "neg"), (last("hedge", None, "hedge", True), "hedge")):
        out = _asof_before(out, frame, "start", "start", [c for c in frame.columns if c.startswith(name)])
    any_terminator = cues.filter(pl.col("role") == "terminator").select(
        *SENTENCE_KEY, "end", pl.col("end").alias("term_end")).unique([*SENTENCE_KEY, "end"])
    strong_terminator = cues.filter((pl.col("role") == "terminator") & (pl.col("group") == "strong")).select(
        *SENTENCE_KEY, "end", pl.col("end").alias("strong_end")).unique([*SENTENCE_KEY, "end"])
    out = _asof_before(out, any_terminator, "start", "end", ["term_end"])
    out = _asof_before(out, strong_terminator, "start", "end", ["strong_end"])

    def in_scope(name: str, terminator: str) -> pl.Expr:
        return (
            pl.col(f"{name}_end").is_not_null()
            & (pl.col(f"{name}_end") <= pl.col("start"))
            & (pl.col(terminator).is_null() | (pl.col(f"{name}_start") >= pl.col(terminator)))
            & (pl.col("start") - pl.col(f"{name}_end") <= pl.col(f"{name}_window"))
        )

    return out.with_columns(
        in_scope("neg", "term_end").alias("negated"),
        in_scope("hedge", "strong_end").alias("hedged"),
    ).drop("^(neg|hedge)_.*$", "term_end", "strong_end")


def subject_groups(subjects: pl.DataFrame, cues: pl.DataFrame, sentences: pl.DataFrame,
                   parents: dict[str, str | None]) -> pl.DataFrame:
    """Subject mentions -> groups of coordinated subjects, each marked head or example.

    Returns one row per group: doc_id, sentence_no, g_start, members (list), is_example.
    """
    mentions = subjects.select(*SENTENCE_KEY, "start", "end", "subject").unique([*SENTENCE_KEY, "start"])
    examples = cues.filter(pl.col("role") == "example").select(*SENTENCE_KEY, "end", pl.col("end").alias("ex_end"))
    strong = cues.filter((pl.col("role") == "terminator") & (pl.col("group") == "strong")).select(
        *SENTENCE_KEY, "end", pl.col("end").alias("st_end"))
    mentions = _asof_before(mentions, examples.unique([*SENTENCE_KEY, "end"]), "start", "end", ["ex_end"])
    mentions = _asof_before(mentions, strong.unique([*SENTENCE_KEY, "end"]), "start", "end", ["st_end"])
    folded = sentences.select(*SENTENCE_KEY, "folded")
    mentions = (
        mentions.join(folded, on=SENTENCE_KEY)
        .sort([*SENTENCE_KEY, "start"])
        .with_columns(pl.col("end").shift(1).over(SENTENCE_KEY).alias("_prev_end"))
        .with_columns(
            pl.when(pl.col("_prev_end").is_null())
            .then(pl.lit(False))
            .otherwise(
                pl.col("folded")
                .str.slice(pl.col("_prev_end"), pl.col("start") - pl.col("_prev_end"))
                .str.contains(_COORDINATION_GAP)
                & (pl.col("start") >= pl.col("_prev_end"))
            )
            .alias("_coordinated"),
            (
                pl.col("ex_end").is_not_null()
                & (pl.col("start") - pl.col("ex_end") <= _EXAMPLE_REACH)
                & (pl.col("st_end").is_null() | (pl.col("ex_end") > pl.col("st_end")))
            ).alias("_after_example_cue"),
        )
        .with_columns((~pl.col("_coordinated")).cum_sum().over(SENTENCE_KEY).alias("group_no"))
    )
    groups = (
        mentions.group_by([*SENTENCE_KEY, "group_no"])
        .agg(
            pl.col("start").min().alias("g_start"),
            pl.col("subject").unique(maintain_order=True).alias("members"),
            pl.col("_after_example_cue").first().alias("_after_example_cue"),
        )
        .sort([*SENTENCE_KEY, "g_start"])
    )
    # an example yields to a head before it in the sentence, or to its parent carried from before
    groups = groups.with_columns(
        (~pl.col("_after_example_cue")).cast(pl.Int32).cum_sum().over(SENTENCE_KEY).alias("_heads_so_far"))
    carried = carried_heads(groups.filter(~pl.col("_after_example_cue")), sentences)
    parent_of = pl.col("members").list.first().replace_strict(parents, default=None, return_dtype=pl.String)
    groups = groups.join(carried, on=SENTENCE_KEY, how="left").with_columns(
        (
            pl.col("_after_example_cue")
            & ((pl.col("_heads_so_far") > 0) | pl.col("carried").list.contains(parent_of).fill_null(False))
        ).alias("is_example")
    )
    return groups.select(*SENTENCE_KEY, "g_start", "members", "is_example")


def carried_heads(heads: pl.DataFrame, sentences: pl.DataFrame, which: str = "last") -> pl.DataFrame:
    """Per sentence, the members of the last (or first: the topic) head group of the sentences before it."""
    ordered = pl.col("members").sort_by("g_start")
    last_per_sentence = heads.group_by(SENTENCE_KEY).agg(ordered.last() if which == "last" else ordered.first())
    return (
        sentences.select(SENTENCE_KEY)
        .join(last_per_sentence, on=SENTENCE_KEY, how="left")
        .sort(SENTENCE_KEY)
        .with_columns(pl.col("members").shift(1).forward_fill().over("doc_id").alias("carried"))
        .select(*SENTENCE_KEY, "carried")
    )


def attribute_subjects(values: pl.DataFrame, groups: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """Give each value mention its subject(s): nearest head group before it, else the carried head."""
    heads = groups.filter(~pl.col("is_example"))
    carried = carried_heads(heads, sentences)
    with_group = _asof_before(values, heads, "start", "g_start", ["members"])
    return (
        with_group.join(carried, on=SENTENCE_KEY, how="left")
        .with_columns(pl.coalesce("members", "carried").alias("subject_ids"))
        .drop("members", "carried", "subject")
        .explode("subject_ids")
        .rename({"subject_ids": "subject"})
        .drop_nulls("subject")
    )
