"""From mentions to claims: context, negation and hedging, subject attribution.

Every step is a join over mention frames (no loop per sentence):

1. value candidates keep the reading whose context holds (`needs`/`excludes` groups);
2. negation and hedging in the manner of ConText: the nearest cue before the value, in the
   same clause (no terminator between), within the cue's window;
3. the subject is the nearest head group before the value in its sentence (a head in an
   "Unlike X, ..." clause only within that clause), else the first head after it up to a barrier,
   else the topic carried over from the previous sentences; coordinated subjects ("ketamine and
   psychedelic therapies") share a group, examples ("compounds like LSD") yield to their head.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from transforms.ontology import OUTSIDE_SUBJECT

# a sentence's row number in the sentences frame (see `transforms.extract`): one integer key
SENTENCE_KEY = ["sid"]
# positions in a sentence are below this (sentences up to ~1M characters)
_POSITIONS_PER_SENTENCE = 1 << 20
# the people a list item opens with start within this many characters ("Some adults with ...")
_ITEM_OPENING = 12
_COORDINATION_GAP = r"^(?:\s|,|and|or|nor|&|/|as well as|\(|\)|both|either|neither)*$"
# a list joins its last member with a conjunction ("A, B and C"): commas alone join nothing
# ("After escitalopram, psilocybin caused ...": a lead-in phrase, then the main clause)
_LIST_GOES_ON = r"^\s*(?:,|\band\b|\bor\b)"
_CONJUNCTION_GAP = r"(?:\band\b|\bor\b|\bnor\b|&|/|\bas well as\b|\(|\)|\bboth\b|\beither\b|\bneither\b)"
_EXAMPLE_REACH = 80
_THAN_PHRASE_REACH = 24  # characters from "than" to a value it governs ("than years of daily pills")
_TIME_ATTRIBUTES = ["onset", "duration"]
_TITLE_SENTENCES = 2  # a document's title is among its first lines (after a site's name, a forum's)
_OPENING_REACH = 4  # a therapy starting this close to its sentence's start opens it ("The drug ...", "Ketamine ...")
# "daily oral escitalopram": a value right before a therapy's name (at most one word between, not a
# function word) modifies that name
_PREMODIFIER_GAP = (r"^\s*(?:(?:[a-z0-9\-]+)\s+)?$")
_NOT_PREMODIFYING = r"\b(?:and|or|but|than|with|without|to|for|in|of|by|as|at|on|after|before|from|versus|vs|like|" \
                    r"including|such|the|a|an|is|are|was|were|be|been|using|use|taking|take|over|into|about)\b"
# "a daily pill of escitalopram", "two doses of psilocybin": a value before a dose noun and "of", or a dose
# noun itself, modifies the therapy after "of"
_DOSE_OF_GAP = (r"^\s*(?:(?:[a-z0-9\-]+\s+){0,2}(?:dose|doses|pill|pills|tablet|tablets|capsule|capsules|infusion|infusions|"
                r"injection|injections|course|courses|series|session|sessions)\s+)?of\s+(?:the\s+)?$")
# conditions, harms and risks name what happens to people, never a kind of therapy: "after failing five
# antidepressants" is not about the antidepressants
_NEVER_PREMODIFYING = ["indication", "side_effect", "risk"]
# a relative clause right after a therapy: ", which ...", ", who ..."; the value inside it (no clause
# punctuation between the opening and the value)
# ", which ...", an appositive ", an ..." ("a form of ketamine, an anesthetic used for decades") or, after a
# therapy named as a head, a restrictive "that ..." ("SSRIs that take weeks"; but "a form of ketamine that is
# sprayed into the nose" is the form's)
_RELATIVE_OPENING = r"^\s*,\s*(?:which|who|whose|an?)\b"
_RESTRICTIVE_OPENING = r"^\s*that\b"
_RELATIVE_CLAUSE = r"^\s*(?:,\s*(?:which|who|whose|an?)|that)\b[^,;:.()!?]*$"
_CONTEXT_AFTER_PENALTY = 10  # characters a context after its value counts as farther than one before
_COMPLEMENT_REACH = 24  # "a form of ketamine", "together with a newly started oral antidepressant"
# "psilocybin, a psychedelic compound", "SSRIs are the most prescribed antidepressants": a copula or a
# comma, an article and at most four words between a therapy and the name of its class (past the end
# of a bracket that names the therapy again: "DMT (N,N-dimethyltryptamine), a hallucinogen"; past a comma
# closing an aside: "Escitalopram, an SSRI, is one of the most prescribed antidepressants"; and past an
# aside giving another name: "LSD, also known as acid, is a potent psychedelic")
_APPOSITION_GAP = (r"^\s*\)?\s*(?:\([^()]*\))?\s*"
                   r"(?:,\s*(?:also\s+)?(?:known|called|referred\s+to|sold|marketed)\s+(?:[a-z]+\s+)?as\s+[^,()]{1,40},\s*)?"
                   r"(?:,|,?\s*(?:is|are|was|were|remains)|,\s*which is)?\s*(?:a|an|the|one of the)\s"
                   r"(?:[a-z0-9\-]+\s){0,4}$")


def with_folded(frame: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """`frame` with its sentence's folded text: a gather by row number (`sid`), cheaper than a join."""
    return frame.with_columns(sentences["folded"].gather(frame["sid"]).alias("folded"))


def with_doc_id(frame: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """`frame` with its sentence's document (`doc_id`), gathered by row number (`sid`)."""
    return frame.with_columns(sentences["doc_id"].gather(frame["sid"]).alias("doc_id"))


def sentence_position(position: str | pl.Expr) -> pl.Expr:
    """One integer for (sentence, position in it): sorting by it sorts by sentence, then position, so an
    as-of join on it needs no `by` groups (measured about twice as fast as `by="sid"`)."""
    position = pl.col(position) if isinstance(position, str) else position
    return pl.col("sid") * _POSITIONS_PER_SENTENCE + position


def _asof(left: pl.DataFrame, right: pl.DataFrame, left_on: str, right_on: str, suffix_cols: list[str],
          strategy: str) -> pl.DataFrame:
    """As-of join within each sentence: on the sentence position, a match from another sentence dropped."""
    right = right.select(sentence_position(right_on).alias("_key"), pl.col("sid").alias("_sid"), *suffix_cols)
    carried = [c for c in right.columns if c not in ("_key", "_sid")]
    # the join runs on a narrow frame of keys, and only the carried columns come back to `left`, in its
    # own row order: sorting the (wide) left frame for every join cost more than the joins
    keys = left.select(sentence_position(left_on).alias("_at"), "sid")
    in_order = keys["_at"].is_sorted()
    if not in_order:
        keys = keys.with_row_index("_row").sort("_at")
    joined = keys.join_asof(right.sort("_key"), left_on="_at", right_on="_key", strategy=strategy,
                            check_sortedness=False)
    if not in_order:
        joined = joined.sort("_row")
    same_sentence = pl.col("_sid") == pl.col("sid")
    return left.with_columns(joined.select(pl.when(same_sentence).then(pl.col(c)).alias(c) for c in carried))


def asof_before(left: pl.DataFrame, right: pl.DataFrame, left_on: str, right_on: str,
                suffix_cols: list[str]) -> pl.DataFrame:
    """For each left row, the last right row (same sentence) whose `right_on` <= left `left_on`."""
    return _asof(left, right, left_on, right_on, suffix_cols, "backward")


def asof_after(left: pl.DataFrame, right: pl.DataFrame, left_on: str, right_on: str,
               suffix_cols: list[str]) -> pl.DataFrame:
    """For each left row, the first right row (same sentence) whose `right_on` >= left `left_on`."""
    return _asof(left, right, left_on, right_on, suffix_cols, "forward")


def cue_ends(cues: pl.DataFrame, role: str, alias: str, group: str | None = None,
             **carried: pl.Expr) -> pl.DataFrame:
    """Where the cues of a role (and group) end, one row per sentence and end: what `asof_before`
    looks back into, the end also kept as `alias` (and `carried` columns beside it)."""
    chosen = cues.filter(pl.col("role") == role)
    if group:
        chosen = chosen.filter(pl.col("group") == group)
    return chosen.select(*SENTENCE_KEY, "end", pl.col("end").alias(alias),
                         *[expr.alias(name) for name, expr in carried.items()]).unique([*SENTENCE_KEY, "end"])


def than_ends(cues: pl.DataFrame) -> pl.DataFrame:
    """Where each "than" ends (`than_end`), with the comparatives that end in it ("better than"): what a
    therapy or value right after it is measured against."""
    thans = cues.filter(((pl.col("role") == "marker") & (pl.col("group") == "than"))
                        | ((pl.col("role") == "direction") & pl.col("phrase").str.ends_with(" than")))
    return cue_ends(thans.with_columns(pl.lit("than").alias("role")), "than", "than_end")


def text_between(end: str, start: str = "start") -> pl.Expr:
    """The sentence text from column `end` to column `start`; empty where the spans overlap (a
    mention inside another, as in "esketamine (Spravato) nasal spray")."""
    return pl.col("folded").str.slice(pl.col(end), (pl.col(start) - pl.col(end)).clip(lower_bound=0))


def complement_mentions(subjects: pl.DataFrame, cues: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """(sid, g_end, members) of therapies named as complements ("a form of ketamine", "together with an
    oral antidepressant"): never heads, but what a clause right after them says is about them."""
    complement_ends = cue_ends(cues, "complement", "cp_end")
    # only mentions a complement cue comes shortly before are read with their sentence's text (few are)
    near = (asof_before(subjects.select(*SENTENCE_KEY, "start", "end", "subject"), complement_ends, "start", "end",
                        ["cp_end"])
            .filter(pl.col("cp_end").is_not_null() & (pl.col("start") - pl.col("cp_end")).is_between(0, _COMPLEMENT_REACH)))
    mentions = with_folded(near, sentences)
    return (mentions.filter(closely_after("cp_end"))
            .select(*SENTENCE_KEY, pl.col("end").alias("g_end"), pl.concat_list("subject").alias("members")))


def closely_after(end: str, reach: int = _COMPLEMENT_REACH, start: str = "start") -> pl.Expr:
    """The mention starting at `start` follows the cue ending at `end` directly or after a few words
    ("together with an oral antidepressant"), never across punctuation ("other than that, ketamine ...")."""
    gap = text_between(end, start)
    return (pl.col(end).is_not_null() & (pl.col(start) - pl.col(end) <= reach)
            & gap.str.contains(r"^[a-z0-9 \-]*$")).fill_null(False)


def resolve_context(values: pl.DataFrame, contexts: pl.DataFrame, before_only: Sequence[str] = ()) -> pl.DataFrame:
    """Keep, per value mention, the readings whose context holds; nearest satisfied context wins.
    A group in `before_only` counts only where it ends before the value starts."""
    values = values.with_columns(pl.int_range(pl.len()).alias("_cand"))
    ctx = contexts.select(*SENTENCE_KEY, pl.col("start").alias("c_start"), pl.col("end").alias("c_end"),
                          pl.col("group"), pl.col("window").alias("c_window"))
    gap = pl.max_horizontal(pl.col("c_start") - pl.col("end"), pl.col("start") - pl.col("c_end"), pl.lit(0))
    # between two readings, a context before the value outweighs one as near after it ("improved
    # within the first week and remained improved": an onset)
    ranked = gap + pl.when(pl.col("c_start") >= pl.col("end")).then(_CONTEXT_AFTER_PENALTY).otherwise(0)

    needs = (
        values.filter(pl.col("needs").is_not_null())
        .join(ctx, left_on=[*SENTENCE_KEY, "needs"], right_on=[*SENTENCE_KEY, "group"])
        .filter((gap <= pl.col("c_window"))
                & ~(pl.col("needs").is_in(list(before_only)) & (pl.col("c_start") >= pl.col("end"))))
        .group_by("_cand")
        .agg(ranked.min().alias("_distance"))
    )
    excluded = (
        values.filter(pl.col("excludes").is_not_null())
        .with_columns(pl.col("excludes").str.split(","))
        .explode("excludes")
        .join(ctx, left_on=[*SENTENCE_KEY, "excludes"], right_on=[*SENTENCE_KEY, "group"])
        # a value's own words never rule it out ("dissociative symptoms" is no illness's symptoms)
        .filter((gap <= pl.col("c_window")) & ~((pl.col("c_start") >= pl.col("start")) & (pl.col("c_end") <= pl.col("end")))
                & ~(pl.col("excludes").is_in(list(before_only)) & (pl.col("c_start") >= pl.col("end"))))
        .select("_cand")
        .unique()
    )
    scored = (
        values.join(excluded, on="_cand", how="anti")
        .join(needs, on="_cand", how="left")
        .filter(pl.col("needs").is_null() | pl.col("_distance").is_not_null())
    )
    # readings of a phrase's words compete; what a therapy's name implies ("ketamine infusions": intravenous,
    # and with a count before it, several sessions) is a fact of the name, and competes with nothing
    implied = pl.col("role") == "implied"
    mention = [*SENTENCE_KEY, "start", pl.when(implied).then(pl.col("attribute"))]
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
        out = asof_before(out, frame, "start", "start", [c for c in frame.columns if c.startswith(name)])
    out = asof_before(out, cue_ends(cues, "terminator", "term_end"), "start", "end", ["term_end"])
    out = asof_before(out, cue_ends(cues, "terminator", "strong_end", "strong"), "start", "end", ["strong_end"])
    # "we do not offer it to anyone with a history of psychosis": a negation before the people a
    # condition belongs to denies the act, not the condition (a hedge still reaches it: "may help people with")
    out = asof_before(out, cue_ends(cues, "population", "people_end"), "start", "end", ["people_end"])

    def in_scope(name: str, *terminators: str) -> pl.Expr:
        # a terminator inside the cue itself ("no evidence that") does not end its scope
        unterminated = [pl.col(t).is_null() | (pl.col(f"{name}_end") >= pl.col(t)) for t in terminators]
        return (
            pl.col(f"{name}_end").is_not_null()
            & (pl.col(f"{name}_end") <= pl.col("start"))
            & pl.all_horizontal(unterminated)
            & (pl.col("start") - pl.col(f"{name}_end") <= pl.col(f"{name}_window"))
        )

    return out.with_columns(
        in_scope("neg", "term_end", "people_end").alias("negated"),
        in_scope("hedge", "strong_end").alias("hedged"),
    ).drop("^(neg|hedge)_.*$", "term_end", "strong_end", "people_end")


def subject_groups(subjects: pl.DataFrame, cues: pl.DataFrame, sentences: pl.DataFrame,
                   parents: dict[str, str | None]) -> pl.DataFrame:
    """Subject mentions -> groups of coordinated subjects, each marked head or example.

    Returns one row per group: sid, g_start, members (list), is_example, sets_topic, subordinate,
    apposed_to (the therapy a class in apposition describes), is_object (measured against, after "than"),
    after_example (named after "such as", "like" ...).
    """
    mentions = subjects.select(*SENTENCE_KEY, "start", "end", "subject", "role").unique([*SENTENCE_KEY, "start"])
    mentions = with_folded(mentions, sentences)
    # a therapy right after "a form of", "outside" ... is a complement: never a head, never coordinated;
    # "slower to act than ketamine": the therapy after "than" is what the subject is measured against: it
    # stays a group (a comparison needs it) but never takes the values around it nor becomes the topic
    mentions = asof_before(mentions, cue_ends(cues, "complement", "cp_end"), "start", "end", ["cp_end"])
    # (also a comparative that ends in "than" itself: "my mood is better than it was on Lexapro")
    mentions = asof_before(mentions, than_ends(cues), "start", "end", ["than_end"])
    mentions = (mentions.filter(~closely_after("cp_end"))
                .with_columns(closely_after("than_end").alias("_object"))
                .drop("cp_end"))
    # "unlike", "compared with" anywhere; "while", "although" only where a clause opens: at the start of
    # the sentence or after a lead-in ("Rapid relief: While conventional medications ...")
    opens_clause = pl.col("folded").str.slice(0, pl.col("start")).str.contains(r"(?:^|:)[\s\W]*$")
    leading = with_folded(cues.filter(pl.col("role") == "subordinator"), sentences).filter(
        (pl.col("group") != "clause") | opens_clause)
    mentions = asof_before(mentions, cue_ends(cues, "example", "ex_end"), "start", "end", ["ex_end"])
    mentions = asof_before(mentions, cue_ends(cues, "terminator", "st_end", "strong"), "start", "end", ["st_end"])
    mentions = asof_before(mentions, cue_ends(leading, "subordinator", "mk_end"), "start", "end", ["mk_end"])
    mentions = asof_before(mentions, cue_ends(cues, "terminator", "tm_end"), "start", "end", ["tm_end"])
    # the previous mention within the same sentence (a global shift: cheaper than a window)
    def previous(column: str) -> pl.Expr:
        return pl.when(pl.col("sid") == pl.col("sid").shift(1)).then(pl.col(column).shift(1))

    def gap_matches(pattern: str) -> pl.Expr:
        return (text_between("_prev_end").str.contains(pattern) & (pl.col("start") >= pl.col("_prev_end"))).fill_null(False)

    mentions = (
        mentions.sort([*SENTENCE_KEY, "start"])
        .with_columns(previous("end").alias("_prev_end"), previous("subject").alias("_prev_subject"))
        # "DMT, a powerful psychedelic": the class a therapy belongs to, named in apposition (the gap
        # is read only after a therapy of that class, which is rare)
        .with_row_index("_row")
    )
    class_after_member = (pl.col("_prev_subject").replace_strict(parents, default=None, return_dtype=pl.String)
                          == pl.col("subject")).fill_null(False)
    appositions = mentions.filter(class_after_member).select("_row", gap_matches(_APPOSITION_GAP).alias("_apposition"))
    # "the antidepressants sertraline and paroxetine": a class right before its members only labels them
    member_after_class = ((pl.col("subject").replace_strict(parents, default=None, return_dtype=pl.String)
                           == pl.col("_prev_subject")) & gap_matches(r"^\s+$")).fill_null(False)
    # "a psychedelic such as LSD or psilocybin": a class noun right before examples is their head
    example_starts = cues.filter(pl.col("role") == "example").select(*SENTENCE_KEY, pl.col("start").alias("_ex_start"))
    exemplified = (mentions.filter(pl.col("role") == "class_noun").select("_row", *SENTENCE_KEY, "end")
                   .join(example_starts, on=SENTENCE_KEY)
                   .filter((pl.col("_ex_start") - pl.col("end")).is_between(0, 2))
                   .select("_row", pl.lit(True).alias("_names_examples")).unique("_row"))
    mentions = (
        mentions.join(appositions, on="_row", how="left")
        .join(exemplified, on="_row", how="left")
        .with_columns(pl.col("_apposition").fill_null(False), pl.col("_names_examples").fill_null(False))
        .sort("_row")
        .drop("_row")
        # a bare class noun ("a powerful psychedelic") counts only in apposition or before examples
        .filter((pl.col("role") != "class_noun") | pl.col("_apposition") | pl.col("_names_examples"))
        .drop("_names_examples")
        .with_columns(previous("end").alias("_prev_end"))
        .with_columns(
            (
                pl.col("ex_end").is_not_null()
                & (pl.col("start") - pl.col("ex_end") <= _EXAMPLE_REACH)
                & (pl.col("st_end").is_null() | (pl.col("ex_end") > pl.col("st_end")))
                # "fewer side effects such as headache than sertraline": what a "than" after the example cue
                # names is no example (but "than antidepressants such as sertraline" names one)
                & ~(pl.col("_object") & (pl.col("than_end") > pl.col("ex_end"))).fill_null(False)
            ).alias("_after_example_cue"),
            # "Unlike X, ...", "While X ...": X is set against the topic, it does not become it
            (pl.col("mk_end").is_not_null() & (pl.col("tm_end").is_null() | (pl.col("mk_end") >= pl.col("tm_end"))))
            .alias("_subordinate"),
            # "a nasal spray (esketamine, Spravato)": an aside in brackets does not become the topic
            (pl.col("folded").str.slice(0, pl.col("start")).str.count_matches(r"\(")
             > pl.col("folded").str.slice(0, pl.col("start")).str.count_matches(r"\)")).alias("_bracketed"),
        )
        # "Unlike SSRIs, psilocybin works ...": a comma between a subordinate clause's therapy and the
        # main clause's is the clause's end, not a list
        .with_columns(member_after_class.alias("_after_class"))
        .with_columns((gap_matches(_COORDINATION_GAP) & (pl.col("_subordinate") == previous("_subordinate"))
                       .fill_null(False) & ~pl.col("_after_class")).alias("_coordinated"))
        # a sentence's first mention is never coordinated, so a global running count numbers groups
        .with_columns((~pl.col("_coordinated")).cum_sum().alias("group_no"))
        # (the list may go on past its last therapy: "psilocybin, DMT, ibogaine and mescaline")
        .with_columns((pl.col("_coordinated") & (
            gap_matches(_CONJUNCTION_GAP).any()
            | pl.col("folded").str.slice(pl.col("end")).str.contains(_LIST_GOES_ON).last()).over("group_no"))
                      .alias("_coordinated"))
        .with_columns((~pl.col("_coordinated")).cum_sum().alias("group_no"))
    )
    groups = (
        mentions.group_by([*SENTENCE_KEY, "group_no"])
        .agg(
            pl.col("start").min().alias("g_start"),
            pl.col("end").max().alias("g_end"),
            pl.col("subject").unique(maintain_order=True).alias("members"),
            pl.col("_after_example_cue").first().alias("_after_example_cue"),
            pl.col("_subordinate").first().alias("_subordinate"),
            pl.col("_bracketed").first().alias("_bracketed"),
            pl.col("_apposition").first().alias("_apposition"),
            pl.col("_after_class").first().alias("_after_class"),
            pl.col("_object").first().alias("is_object"),
        )
        .sort([*SENTENCE_KEY, "g_start"])
        .with_columns(pl.when(pl.col("_apposition")).then(pl.col("members").shift(1)).alias("apposed_to"))
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
    # a class named in apposition describes the therapy before it: like an example, it is not a head
    groups = groups.with_columns(
        pl.col("is_example") | pl.col("_apposition")
        | pl.col("_after_class").shift(-1).over(SENTENCE_KEY).fill_null(False))
    # where the bracket around a bracketed group closes: "a nasal spray (esketamine) or lozenge" says
    # nothing of esketamine past it
    closes = pl.col("g_start") + pl.col("folded").str.slice(pl.col("g_start")).str.find(")", literal=True)
    return with_folded(groups, sentences).with_columns(
        (~pl.col("is_example") & ~pl.col("_subordinate") & ~pl.col("_bracketed") & ~pl.col("is_object"))
        .alias("sets_topic"),
        pl.when(pl.col("_bracketed")).then(closes).cast(pl.Int64).alias("bracket_end"),
    ).select(
        *SENTENCE_KEY, "g_start", "g_end", "members", "is_example", "sets_topic", pl.col("_subordinate").alias("subordinate"),
        "apposed_to", "is_object", pl.col("_after_example_cue").alias("after_example"), "bracket_end")


def apposition_values(groups: pl.DataFrame, class_values: pl.DataFrame) -> pl.DataFrame:
    """"DMT, a powerful psychedelic": the value the class says about the therapy in apposition
    (class_values: subject, attribute, value), as implied values of that therapy."""
    return (
        groups.filter(pl.col("apposed_to").is_not_null())
        .select(*SENTENCE_KEY, pl.col("g_start").alias("start"), pl.col("members").list.first().alias("_class"),
                pl.col("apposed_to").alias("subject"))
        .join(class_values.rename({"subject": "_class"}), on="_class")
        .explode("subject")
        .with_columns((pl.col("start") + 1).alias("end"), pl.lit("implied").alias("role"))
        .drop("_class")
    )


def question_topics(groups: pl.DataFrame, sentences: pl.DataFrame, cues: pl.DataFrame, foils: Sequence[str] = ()
                    ) -> pl.DataFrame:
    """Head groups for questions that name no therapy but point back with a pronoun.

    On question-and-answer pages "How quickly does it work?" asks about the page's topic (the first
    therapy the document names as a head), not about a therapy the last answer mentioned in passing.
    Returned in the shape of `subject_groups`, to be added to it.
    """
    topics = document_topics(groups, sentences, foils)
    pointing_back = cues.filter(pl.col("role").is_in(["anaphor", "plural_anaphor"])).group_by(SENTENCE_KEY).agg(
        pl.col("start").min().alias("g_start"))
    return (
        sentences.filter(pl.col("is_question"))
        .select(*SENTENCE_KEY, "doc_id")
        .join(groups.select(SENTENCE_KEY).unique(), on=SENTENCE_KEY, how="anti")
        .join(pointing_back, on=SENTENCE_KEY)
        .join(topics, on="doc_id")
        .select(*SENTENCE_KEY, "g_start", pl.lit(None, dtype=groups.schema["g_end"]).alias("g_end"), "members",
                pl.lit(False).alias("is_example"), pl.lit(True).alias("sets_topic"), pl.lit(False).alias("subordinate"),
                pl.lit(None, dtype=groups.schema["apposed_to"]).alias("apposed_to"), pl.lit(False).alias("is_object"),
                pl.lit(False).alias("after_example"), pl.lit(None, dtype=pl.Int64).alias("bracket_end"))
    )


def clause_breaks(cues: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """Commas that close a clause: every comma not followed by a relative pronoun (", which ...")."""
    commas = cues.filter(pl.col("phrase") == ",").select(*SENTENCE_KEY, "end").unique()
    return (
        with_folded(commas, sentences)
        .filter(~pl.col("folded").str.slice(pl.col("end"), 8).str.contains(r"^\s*(which|who|that)\b"))
        .select(*SENTENCE_KEY, "end", pl.col("end").alias("break_end"))
    )


def carried_heads(heads: pl.DataFrame, sentences: pl.DataFrame, which: str = "last",
                  resets: pl.DataFrame | None = None, preferred: str | None = None) -> pl.DataFrame:
    """Per sentence, the members of the last (or first: the topic; or all) head group(s) of the
    sentences before it. `resets` (sid, reset: members) start the carry afresh at those sentences,
    as if the sentence before had named them. `preferred` names a boolean column: the last such
    head wins over later ones ("Esketamine is taken with an oral antidepressant." hands on esketamine)."""
    ordered = pl.col("members").sort_by([preferred, "g_start"] if preferred else "g_start")
    if which == "all":
        picked = ordered.list.explode(keep_nulls=False, empty_as_null=False).unique(maintain_order=True)
    else:
        picked = ordered.last() if which == "last" else ordered.first()
    last_per_sentence = heads.group_by(SENTENCE_KEY).agg(picked.alias("members"))
    frame = sentences.select(*SENTENCE_KEY, "doc_id").join(last_per_sentence, on=SENTENCE_KEY, how="left")
    if resets is None:
        return (frame.sort(SENTENCE_KEY)
                .with_columns(pl.col("members").shift(1).forward_fill().over("doc_id").alias("carried"))
                .select(*SENTENCE_KEY, "carried"))
    # a reset sentence carries its topic, and hands it on unless it names heads of its own
    return (
        frame.join(resets, on=SENTENCE_KEY, how="left")
        .sort(SENTENCE_KEY)
        .with_columns(pl.coalesce("members", "reset").shift(1).forward_fill().over("doc_id").alias("_before"))
        .select(*SENTENCE_KEY, pl.coalesce("reset", "_before").alias("carried"))
    )


def _same_document_as_previous() -> pl.Expr:
    """Over sentences in order: the sentence before is of the same document."""
    return (pl.col("doc_id") == pl.col("doc_id").shift(1)).fill_null(False)


def topic_resets(groups: pl.DataFrame, sentences: pl.DataFrame, cues: pl.DataFrame, foils: Sequence[str] = ()
                 ) -> pl.DataFrame:
    """Sentences about the document's topic, not the last therapy named: those that open a paragraph
    (`_paragraph_openings`) or follow an aside (`_after_asides`), when they name no therapy and do not
    point back with a pronoun, other than a paragraph's opening "it" (a topic pronoun: the page's or the
    section's therapy). (sid, reset: the topic's members)"""
    openings = _paragraph_openings(sentences)
    asides = _after_asides(sentences, cues)
    pronouns = cues.filter(pl.col("role").is_in(["anaphor", "plural_anaphor"])).select(*SENTENCE_KEY, "start")
    topic_pronouns = cues.filter(pl.col("role") == "topic_pronoun").select(*SENTENCE_KEY, "start")
    # a paragraph's opening points back only with a pronoun that is no topic pronoun; after an aside, with any
    points_back_in_opening = pronouns.join(topic_pronouns, on=[*SENTENCE_KEY, "start"], how="anti").select(SENTENCE_KEY)
    candidates = pl.concat([
        openings.join(points_back_in_opening, on=SENTENCE_KEY, how="anti"),
        asides.join(pronouns.select(SENTENCE_KEY), on=SENTENCE_KEY, how="anti"),
    ]).unique(SENTENCE_KEY)
    return (
        candidates.join(groups.select(SENTENCE_KEY), on=SENTENCE_KEY, how="anti")
        .join(section_topics(groups, sentences), on=SENTENCE_KEY, how="left")
        .join(document_topics(groups, sentences, foils), on="doc_id", how="left")
        .select(*SENTENCE_KEY, pl.coalesce("section", "members").alias("reset"))
        .filter(pl.col("reset").is_not_null())
    )


def _is_heading() -> pl.Expr:
    """A line of its own that does not end a sentence: a title or a section's heading."""
    return pl.col("is_line") & ~pl.col("text").str.contains(r"[.!?][\"'’”)\]]*$")


def section_topics(groups: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """Per sentence, the therapy its section is about (sid, section: members): the first named as a head
    in the last heading before it ("Ketamine infusions" ... "During an infusion, people often feel
    detached" is about ketamine, whatever the document's title names first). After a heading that
    names no therapy ("The bottom line") a sentence has no section topic (null)."""
    heads = (groups.filter(pl.col("sets_topic") & ~pl.col("after_example")
                           & ~pl.col("members").list.contains(OUTSIDE_SUBJECT))
             .sort([*SENTENCE_KEY, "g_start"]).group_by(SENTENCE_KEY).agg(pl.col("members").first().alias("_named")))
    # each heading hands on what it names (or an empty list: nothing) until the next heading
    return (
        sentences.select(*SENTENCE_KEY, "doc_id", _is_heading().alias("_heading"))
        .join(heads, on=SENTENCE_KEY, how="left")
        .sort(SENTENCE_KEY)
        .with_columns(pl.when(pl.col("_heading")).then(pl.col("_named").fill_null(pl.lit([], dtype=pl.List(pl.String))))
                      .alias("_hands_on"))
        .with_columns(pl.col("_hands_on").shift(1).forward_fill().over("doc_id").alias("section"))
        .select(*SENTENCE_KEY, pl.when(pl.col("section").list.len() > 0).then(pl.col("section")).alias("section"))
    )


def _paragraph_openings(sentences: pl.DataFrame) -> pl.DataFrame:
    """(sid, doc_id) of sentences that open a paragraph ("The infusions themselves are weird." after a
    paragraph on the antidepressants tried before). A paragraph opens after a line that ends a
    sentence (not after a heading, a lead-in or a list item)."""
    same_doc = _same_document_as_previous()
    return sentences.select(
        *SENTENCE_KEY, "doc_id",
        (same_doc & pl.col("is_line").shift(1) & pl.col("text").shift(1).str.contains(r"[.!?][\"'’”)\]]*$")
         & ~pl.col("is_item")).fill_null(False).alias("_opens"),
    ).filter(pl.col("_opens")).drop("_opens")


def _after_asides(sentences: pl.DataFrame, cues: pl.DataFrame) -> pl.DataFrame:
    """(sid, doc_id) of sentences right after an aside set against what came before ("Standard
    antidepressants, by contrast, take six to eight weeks. The effect of a single infusion fades ...").

    Only a marker inside its sentence makes an aside; one that opens it ("In contrast, psychedelic
    therapies carry ... These experiences ...") turns the text to the new subject."""
    asides = (cues.filter((pl.col("role") == "marker") & (pl.col("group") == "previous") & (pl.col("start") > 0))
              .select(SENTENCE_KEY).unique())
    return (
        sentences.select(*SENTENCE_KEY, "doc_id").sort(SENTENCE_KEY)
        .with_columns(pl.col("sid").shift(1).alias("_previous"), _same_document_as_previous().alias("_same_doc"))
        .filter(pl.col("_same_doc"))
        .join(asides.rename({"sid": "_previous"}), on="_previous")
        .select(*SENTENCE_KEY, "doc_id")
    )


def document_topics(groups: pl.DataFrame, sentences: pl.DataFrame, foils: Sequence[str] = ()) -> pl.DataFrame:
    """Per document, its topic (doc_id, members): the first therapy it names as a head (not as an example:
    "treatments such as antidepressants") in its title, one of the `foils` only when the title names nothing
    else ("Zoloft for six years, now trying ketamine" is about ketamine); else the first in a heading or at the start of a
    sentence, or failing that anywhere, that is none of the `foils` (the treatments the others are measured
    against: "Standard antidepressants can take a month or longer to help. ... a single low dose of
    ketamine"); a foil only when nothing else is named as a head."""
    # a therapy in a title (the document's first lines) or heading, or one that opens its sentence,
    # before one named in passing ("When Dana had tried four antidepressants, her psychiatrist
    # suggested esketamine. Esketamine is ...")
    heading = _is_heading()
    titled = pl.col("sentence_no") < _TITLE_SENTENCES
    prominent = titled | heading | (pl.col("g_start") <= _OPENING_REACH)
    foil = pl.col("members").list.set_difference(pl.lit(list(foils), dtype=pl.List(pl.String))).list.len() == 0
    return (
        groups.filter(pl.col("sets_topic") & ~pl.col("after_example")
                      & ~pl.col("members").list.contains(OUTSIDE_SUBJECT))
        .join(sentences.select(*SENTENCE_KEY, "doc_id", "sentence_no", "is_line", "text"), on=SENTENCE_KEY)
        .sort([*SENTENCE_KEY, "g_start"])
        .group_by("doc_id", maintain_order=True)
        .agg(pl.coalesce(pl.col("members").filter(titled & ~foil).first(), pl.col("members").filter(titled).first(),
                         pl.col("members").filter(prominent & ~foil).first(), pl.col("members").filter(~foil).first(),
                         pl.col("members").filter(prominent).first(), pl.col("members").first()))
    )


def _with_premodifier_flag(values: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """`_premodifies`: the value stands right before the first therapy after it ("daily oral escitalopram",
    "a daily pill of escitalopram"), also one compared against ("as well as daily escitalopram").

    Only values a few characters before a head are read (most are not), by row number."""
    values = values.with_row_index("_row")
    near = values.filter((pl.col("next_start") - pl.col("end")).is_between(0, 24)
                         & ~pl.col("attribute").is_in(_NEVER_PREMODIFYING)).select("_row", "sid", "end", "next_start")
    gap = text_between("end", "next_start")
    flags = with_folded(near, sentences).select(
        "_row", ((gap.str.contains(_PREMODIFIER_GAP) & ~gap.str.contains(_NOT_PREMODIFYING))
                 | gap.str.contains(_DOSE_OF_GAP)).alias("_premodifies"))
    return (values.join(flags, on="_row", how="left")
            .with_columns(pl.col("_premodifies").fill_null(False)).drop("_row"))


def _with_than_phrase_flag(values: pl.DataFrame, groups: pl.DataFrame, cues: pl.DataFrame,
                           sentences: pl.DataFrame) -> pl.DataFrame:
    """`_in_than_phrase`: the value follows "than" closely, no therapy between ("more effective than daily
    pills"): it describes what is measured against, not the subject before "than" (not a time: "lasts
    longer than two weeks"; not after "other than")."""
    values = asof_before(values, than_ends(cues), "start", "end", ["than_end"])
    values = asof_before(values, groups.select(*SENTENCE_KEY, "g_start", pl.col("g_start").alias("_group_before")),
                         "start", "g_start", ["_group_before"])
    other_than = pl.col("folded").str.slice((pl.col("than_end") - 10).clip(lower_bound=0),
                                            10).str.contains(r"\bother than$")
    flagged = with_folded(values.with_row_index("_row").filter(pl.col("than_end").is_not_null()), sentences).select(
        "_row",
        (closely_after("than_end", _THAN_PHRASE_REACH) & ~pl.col("attribute").is_in(_TIME_ATTRIBUTES) & ~other_than
         & (pl.col("_group_before").is_null() | (pl.col("_group_before") < pl.col("than_end")))).alias("_in_than_phrase"))
    return (values.with_row_index("_row").join(flagged, on="_row", how="left")
            .with_columns(pl.col("_in_than_phrase").fill_null(False)).drop("_row", "than_end", "_group_before"))


def _with_relative_clause_owner(values: pl.DataFrame, groups: pl.DataFrame, sentences: pl.DataFrame,
                                complements: pl.DataFrame | None = None) -> pl.DataFrame:
    """`relative_members`: the therapy named right before a relative clause or an apposition holding the
    value ("other drugs in development, including psilocybin, which the FDA has designated a breakthrough
    therapy", "faster than standard antidepressants, which usually take four to eight weeks", "It is a form
    of ketamine, an anesthetic"): the clause is about that therapy, not the head an example belongs to, the
    subject a compared side is set against, nor the one a complement (`complements`) is a form of."""
    # (not a class named in apposition: "DMT, a powerful psychedelic that acts on serotonin receptors" is DMT's)
    owners = groups.filter(pl.col("apposed_to").is_null()).select(*SENTENCE_KEY, "g_end", "members",
                                                                   pl.lit(True).alias("_head"))
    if complements is not None:
        owners = pl.concat([owners, complements.select(*SENTENCE_KEY, "g_end", "members", pl.lit(False).alias("_head"))
                            .cast(owners.schema)])
    named = with_folded(owners, sentences)
    after = pl.col("folded").str.slice(pl.col("g_end"))
    opening = after.str.contains(_RELATIVE_OPENING) | (pl.col("_head") & after.str.contains(_RESTRICTIVE_OPENING))
    relatives = (named.filter(opening).select(*SENTENCE_KEY, pl.col("g_end").alias("_rx_end"),
                                                 pl.col("members").alias("relative_members")))
    values = asof_before(values, relatives, "start", "_rx_end", ["_rx_end", "relative_members"])
    inside = with_folded(values, sentences).select(
        (text_between("_rx_end").str.contains(_RELATIVE_CLAUSE) & pl.col("_rx_end").is_not_null()).fill_null(False))
    return values.with_columns(pl.when(inside.to_series()).then(pl.col("relative_members")).alias("relative_members")
                               ).drop("_rx_end")


def _after_lead_in(sentences: pl.DataFrame, sid: pl.Expr) -> pl.Expr:
    """Whether the sentence `sid` continues a lead-in ending with a colon: the line right after it, or
    any item of the bulleted or numbered list that starts there."""
    same_doc = _same_document_as_previous()
    flags = (
        sentences.select("is_item", (pl.col("text").shift(1).str.ends_with(":") & same_doc).fill_null(False)
                         .alias("_after_colon"),
                         (pl.col("is_item") & ~(pl.col("is_item").shift(1) & same_doc).fill_null(False)).alias("_first_item"))
        .select(pl.col("_after_colon") | (pl.col("is_item") & pl.when(pl.col("_first_item")).then(pl.col("_after_colon"))
                                          .forward_fill().fill_null(False)))
        .to_series()
    )
    return pl.lit(flags).gather(sid)


def recent_therapies(heads: pl.DataFrame, sentences: pl.DataFrame, cues: pl.DataFrame) -> pl.DataFrame:
    """(sid, carried_all) for sentences with a counting pronoun ("all three", "both"): the that many
    distinct therapies named last before the sentence in its document, most recent first."""
    counting = (cues.filter((pl.col("role") == "plural_anaphor") & pl.col("value").is_not_null())
                .select(*SENTENCE_KEY, pl.col("value").cast(pl.Int64).alias("_n")).unique(SENTENCE_KEY))
    if counting.is_empty():
        return pl.DataFrame(schema={"sid": pl.Int64, "carried_all": pl.List(pl.String)})
    documents = sentences.select(*SENTENCE_KEY, "doc_id")
    named = (heads.select(pl.col("sid").alias("_sid"), "g_start", "members").explode("members")
             .join(documents.rename({"sid": "_sid"}), on="_sid"))
    return (
        counting.join(documents, on=SENTENCE_KEY)
        .join(named, on="doc_id")
        .filter(pl.col("_sid") < pl.col("sid"))
        .sort(["sid", "_sid", "g_start"], descending=[False, True, True])
        .unique(["sid", "members"], keep="first", maintain_order=True)
        .filter(pl.int_range(pl.len()).over("sid") < pl.col("_n"))
        .group_by("sid", maintain_order=True)
        .agg(pl.col("members").alias("carried_all"))
    )


def plural_referents(groups: pl.DataFrame, sentences: pl.DataFrame, cues: pl.DataFrame) -> pl.DataFrame:
    """(sid, carried) for sentences with a plural pronoun: "Both appear to ...", every therapy of the last
    sentence that named some; "All three can raise blood pressure", "neither", the that many named last."""
    plural = cues.filter(pl.col("role") == "plural_anaphor").select(*SENTENCE_KEY).unique()
    named = groups.filter(~pl.col("is_example"))
    last_sentence = carried_heads(named, sentences, which="all").join(plural, on=SENTENCE_KEY)
    counted = recent_therapies(named, sentences, cues).rename({"carried_all": "carried"})
    return pl.concat([last_sentence.join(counted, on=SENTENCE_KEY, how="anti"), counted])


# a therapy right after one of these is the object of a preposition, or singles out one of a group
# ("interacts with antidepressants, particularly SSRIs"), no clause's subject
_PREPOSITION_BEFORE = (r"\b(?:to|with|from|of|by|for|on|about|after|over|than|versus|vs|like|particularly|especially|"
                       r"notably|including)\s+(?:the\s+|a\s+|an\s+)?$")


def _clause_subjects(heads: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """The heads that can be a clause's subject: those not named right after a preposition
    ("linked to SSRIs", "compared with escitalopram")."""
    before = pl.col("folded").str.slice((pl.col("g_start") - 20).clip(lower_bound=0),
                                        pl.col("g_start").clip(upper_bound=20))
    return with_folded(heads, sentences).filter(~before.str.contains(_PREPOSITION_BEFORE)).drop("folded")


def attribute_subjects(values: pl.DataFrame, groups: pl.DataFrame, sentences: pl.DataFrame, cues: pl.DataFrame,
                       topic_attributes: list[str], foils: Sequence[str] = (),
                       complements: pl.DataFrame | None = None) -> pl.DataFrame:
    """Give each value mention its subject(s).

    In order: the nearest head group before it in the sentence (past a pronoun, the nearest one that
    can be a clause's subject; a head in brackets only up to its closing bracket); else the first head
    group after it, if no barrier (";", ":", "but" ...) or "compared with" stands between; else the
    topic carried from the sentences before, unless the value is about people with a condition
    ("patients with TRD") or opens the sentence as its topic ("TRD is ..."). A value inside a clause that
    "unlike", "compared with" ... open stays with the therapy that clause names, or with none. A subject
    alias that implies a value ("ketamine infusion") keeps its own subject. A therapy the sentence says
    failed ("antidepressants haven't helped") is given none of its indications.
    """
    heads = groups.filter(~pl.col("is_example") & ~pl.col("is_object"))
    # the topic handed on is the last head that can be a clause's subject, not one after a preposition
    topic_heads = groups.filter(pl.col("sets_topic"))
    subject_like = _clause_subjects(topic_heads, sentences).select(*SENTENCE_KEY, "g_start",
                                                                   pl.lit(True).alias("_subject_like"))
    topic_heads = (topic_heads.join(subject_like, on=[*SENTENCE_KEY, "g_start"], how="left")
                   .with_columns(pl.col("_subject_like").fill_null(False)))
    carried = carried_heads(topic_heads, sentences, resets=topic_resets(groups, sentences, cues, foils),
                            preferred="_subject_like")
    # "Both appear to ...": every therapy of the last sentence that named some
    carried_all = plural_referents(groups, sentences, cues).rename({"carried": "carried_all"})
    implied = values.filter(pl.col("role") == "implied")
    others = values.filter(pl.col("role") != "implied").drop("subject")
    barriers = cues.filter(pl.col("role").is_in(["barrier", "anaphor"])).select(
        *SENTENCE_KEY, "start", pl.col("start").alias("b_start"), (pl.col("phrase") == ":").alias("b_colon"))
    after = heads.select(*SENTENCE_KEY, "g_start", pl.col("members").alias("after_members"),
                         pl.col("g_start").alias("after_start"))
    others = asof_before(others, heads, "start", "g_start", ["members", "subordinate", pl.col("g_start").alias("head_start"),
                                                             "bracket_end"])
    # a head in an "Unlike X, ..." clause reaches only to the end of that clause
    breaks = clause_breaks(cues, sentences)
    others = asof_before(others, breaks, "start", "end", ["break_end"])
    out_of_clause = pl.col("subordinate").fill_null(False) & pl.col("break_end").is_not_null() & (
        pl.col("break_end") > pl.col("head_start"))
    # a head in brackets reaches only to the closing bracket
    out_of_bracket = (pl.col("bracket_end") < pl.col("start")).fill_null(False)
    others = others.with_columns(pl.when(out_of_clause | out_of_bracket).then(None).otherwise(pl.col("members"))
                                 .alias("members"), out_of_bracket.alias("_out_of_bracket")).drop(
        "subordinate", "break_end", "bracket_end")
    # "Ketamine, unlike SSRIs, works within hours": past the aside, the nearest head outside it
    main_heads = heads.filter(~pl.col("subordinate")).select(*SENTENCE_KEY, "g_start",
                                                            pl.col("members").alias("main_members"))
    others = asof_before(others, main_heads, "start", "g_start", ["main_members"]).with_columns(
        pl.when(~pl.col("_out_of_bracket")).then(pl.col("main_members")).alias("main_members")).drop("_out_of_bracket")
    # "Psilocybin does not cause the side effects linked to SSRIs, but it often causes nausea": a pronoun
    # points back to the subject of a clause, not to a therapy named after a preposition
    clause_heads = _clause_subjects(main_heads, sentences).select(*SENTENCE_KEY, "g_start",
                                                                  pl.col("main_members").alias("clause_members"))
    others = asof_before(others, clause_heads, "start", "g_start", ["clause_members"])
    others = asof_after(others, after, "end", "g_start", ["after_members", "after_start"])
    # the next therapy named, also one compared against: what a value right before it premodifies
    following = groups.filter(~pl.col("is_example")).select(*SENTENCE_KEY, "g_start", pl.col("members").alias("next_members"),
                                                            pl.col("g_start").alias("next_start"))
    others = asof_after(others, following, "end", "g_start", ["next_members", "next_start"])
    others = asof_after(others, barriers.sort("b_colon").unique([*SENTENCE_KEY, "start"], keep="first"), "end", "start",
                        ["b_start", "b_colon"])
    others = asof_before(others, cue_ends(cues, "terminator", "st_end", "strong"), "start", "end", ["st_end"])
    # "improvement within days, compared with the weeks that oral antidepressants take": a therapy past a
    # "compared with", "unlike" ... is the other side, not the subject of a value before it
    set_against = cues.filter((pl.col("role") == "subordinator") & (pl.col("group") == "phrase")).select(
        *SENTENCE_KEY, "start", pl.col("start").alias("sub_start")).unique([*SENTENCE_KEY, "start"])
    others = asof_after(others, set_against, "end", "start", ["sub_start"])
    # "Unlike the daily pills, which must be taken for years, MDMA is given a few times": a value inside
    # the clause "unlike", "compared with" ... open belongs to the side set against, never to the head
    # past the clause's end
    others = asof_before(others, cue_ends(cues.filter(pl.col("group") == "phrase"), "subordinator", "u_end"),
                         "start", "end", ["u_end"])
    others = asof_before(others, breaks.rename({"break_end": "_break_before"}), "start", "end", ["_break_before"])
    others = asof_after(others, breaks.rename({"break_end": "_break_after"}), "end", "end", ["_break_after"])
    others = _with_premodifier_flag(others, sentences)
    others = _with_relative_clause_owner(others, groups, sentences, complements)
    others = _with_than_phrase_flag(others, groups, cues, sentences)
    population = cue_ends(cues, "population", "p_end", p_window=pl.col("window"), p_start=pl.col("start"))
    others = asof_before(others, population, "start", "end", ["p_end", "p_window", "p_start"])
    others = asof_before(others, cue_ends(cues, "study_frame", "sf_end"), "start", "end", ["sf_end"])
    # "It ...", "Both ...", "either drug": a pronoun before the value (plural ones too)
    pronouns = cues.filter(pl.col("role").is_in(["anaphor", "plural_anaphor"])).with_columns(pl.lit("anaphor").alias("role"))
    others = asof_before(others, cue_ends(pronouns, "anaphor", "a_end"), "start", "end", ["a_end"])
    # "Ketamine given intravenously and esketamine given intranasally are both used for TRD": a plural
    # pronoun after two or more main-clause heads of its sentence gives what follows it to all of them
    plural_ends = cues.filter(pl.col("role") == "plural_anaphor").select(*SENTENCE_KEY, "end").unique()
    heads_before_plural = (
        plural_ends.join(heads.filter(~pl.col("subordinate")).select(*SENTENCE_KEY, "g_start", "members"), on=SENTENCE_KEY)
        .filter(pl.col("g_start") < pl.col("end"))
        .group_by([*SENTENCE_KEY, "end"])
        .agg(pl.col("members").list.explode(keep_nulls=False, empty_as_null=False).unique(maintain_order=True)
             .alias("plural_members"))
        .filter(pl.col("plural_members").list.len() >= 2)
    )
    others = asof_before(others, heads_before_plural, "start", "end", ["plural_members", pl.col("end").alias("pl_end")])
    # a head after the value is its subject unless a barrier stands between them or a pronoun before the
    # value is the subject ("It is twice as potent an anesthetic as racemic ketamine")
    # ("Two drugs are approved for PTSD: sertraline and paroxetine": a colon that names the subject
    # right after it, when none stands before the value, is no barrier)
    in_set_against_clause = (pl.col("u_end").is_not_null()
                             & (pl.col("_break_before").is_null() | (pl.col("_break_before") < pl.col("u_end"))))
    names_after_colon = (pl.col("b_colon") & pl.col("head_start").is_null()
                         & (pl.col("after_start") - pl.col("b_start") <= 2)).fill_null(False)
    forward_ok = ((pl.col("b_start").is_null() | (pl.col("after_start") < pl.col("b_start")) | names_after_colon)
                  & pl.col("a_end").is_null()
                  & (pl.col("sub_start").is_null() | (pl.col("after_start") < pl.col("sub_start")))
                  & ~(in_set_against_clause & (pl.col("after_start") > pl.col("_break_after")).fill_null(False)))
    # "headache was more common after psilocybin, whereas blunting was reported with escitalopram": a
    # head before a contrast ("whereas", "but", ";") gives way to the head of the value's own clause
    across_contrast = (pl.col("st_end").is_not_null() & pl.col("head_start").is_not_null()
                       & (pl.col("st_end") > pl.col("head_start")) & pl.col("after_start").is_not_null()
                       & forward_ok).fill_null(False)
    # "It is approved for adults with MDD": an anaphor before the population phrase keeps the topic
    # (only a condition: "people with a history of psychosis should not ..." still warns about the topic);
    # a condition opening a sentence is its topic ("TRD is ..."), not in a list after a lead-in
    # ("may help patients with:" then "- Treatment-resistant depression")
    # (but a list item that opens with the people is one of the therapy's uses: "Who may benefit?" then
    # "- Adults with treatment-resistant depression")
    opens_item = (pl.col("p_start") <= _ITEM_OPENING) & pl.lit(sentences["is_item"]).gather(pl.col("sid"))
    no_carry = pl.col("attribute").is_in(topic_attributes) & (
        (pl.col("p_end").is_not_null() & (pl.col("start") - pl.col("p_end") <= pl.col("p_window")) & ~opens_item
         & (pl.col("a_end").is_null() | (pl.col("a_end") > pl.col("p_end")))
         # (the people of a study: "The study enrolled 59 adults with MDD")
         & (pl.col("sf_end").is_null() | (pl.col("sf_end") > pl.col("p_end"))))
        | ((pl.col("start") <= 2) & ~_after_lead_in(sentences, pl.col("sid")))
    )
    others = (
        others.join(carried, on=SENTENCE_KEY, how="left")
        .join(carried_all, on=SENTENCE_KEY, how="left")
        .with_columns(
            pl.coalesce(
                pl.when(pl.col("_premodifies")).then(pl.col("next_members")),
                "relative_members",
                pl.when(across_contrast).then(pl.col("after_members")),
                # (unless a head stands between the pronoun and the value)
                pl.when(pl.col("head_start").is_null() | (pl.col("head_start") < pl.col("pl_end")))
                .then(pl.col("plural_members")),
                pl.when(pl.col("head_start") < pl.col("a_end")).then(pl.col("clause_members")),
                "members",
                pl.when(pl.col("head_start").is_not_null()).then(pl.col("main_members")),
                pl.when(forward_ok).then(pl.col("after_members")),
                pl.when(~no_carry & ~in_set_against_clause).then(pl.coalesce("carried_all", "carried")),
            ).alias("subject")
        )
        .with_columns(pl.when(~pl.col("_in_than_phrase") | pl.col("_premodifies") | pl.col("relative_members").is_not_null())
                      .then(pl.col("subject")))
        .drop("members", "plural_members", "_in_than_phrase", "pl_end", "after_members", "after_start", "next_members", "next_start", "b_start", "b_colon", "p_end", "p_window", "p_start", "a_end", "sf_end", "carried",
              "carried_all", "st_end", "_premodifies", "relative_members", "head_start", "main_members", "clause_members", "sub_start",
              "u_end", "_break_before", "_break_after")
        .explode("subject")
    )
    others = pl.concat([others, _trial_arms(others, groups, cues, sentences)])
    failed = _failed_therapies(heads, cues, sentences)
    others = pl.concat([others.filter(pl.col("attribute") != "indication"),
                        others.filter(pl.col("attribute") == "indication").join(failed, on=[*SENTENCE_KEY, "subject"],
                                                                                how="anti")])
    return pl.concat([others, implied.select(others.columns)]).drop_nulls("subject")


def _trial_arms(attributed: pl.DataFrame, groups: pl.DataFrame, cues: pl.DataFrame,
                sentences: pl.DataFrame) -> pl.DataFrame:
    """Clinical-trial evidence (done or under way), and the condition of the people treated, for every therapy
    named (not as an example) in a sentence that gives them to one and sets therapies against each other as a trial's arms
    ("A six-week trial comparing psilocybin with escitalopram in 59 adults with major depressive disorder"):
    the trial is evidence about each arm, and each arm treats its people. Rows in the shape of `attributed`."""
    # (not where the sentence denies it: "the trials were not head-to-head comparisons")
    denied = pl.col("folded").str.slice(0, pl.col("start")).str.contains(r"\b(?:not|no)\s+$")
    arms_sentences = (with_folded(cues.filter(pl.col("role") == "trial_arm_marker"), sentences).filter(~denied)
                      .select(SENTENCE_KEY).unique())
    is_trial = (pl.col("attribute") == "evidence_level") & pl.col("value").is_in(["clinical_trials", "ongoing_research"])
    # (a trial the sentence denies has no arms: "no large trial has shown that it treats depression")
    trial_sentences = (attributed.filter(is_trial & ~pl.col("negated")).join(arms_sentences, on=SENTENCE_KEY)
                       .select(SENTENCE_KEY).unique())
    trial = (attributed.filter(is_trial | (pl.col("attribute") == "indication"))
             .join(trial_sentences, on=SENTENCE_KEY).unique([*SENTENCE_KEY, "start", "attribute", "value"]))
    heads = groups.filter(~pl.col("is_example"))
    # ("More head-to-head trials are under way", naming none: the arms are the therapies named last)
    unnamed = trial_sentences.join(heads.select(SENTENCE_KEY).unique(), on=SENTENCE_KEY, how="anti")
    named = pl.concat([
        heads.select(*SENTENCE_KEY, pl.col("members").alias("_arm")),
        carried_heads(heads, sentences, which="all").join(unnamed, on=SENTENCE_KEY).select(
            *SENTENCE_KEY, pl.col("carried").alias("_arm")),
    ]).explode("_arm").drop_nulls("_arm").filter(pl.col("_arm") != OUTSIDE_SUBJECT).unique()
    return (trial.join(named, on=SENTENCE_KEY).filter(pl.col("_arm") != pl.col("subject"))
            .with_columns(pl.col("_arm").alias("subject")).drop("_arm").select(attributed.columns))


# "ketamine since I'd failed three meds": a clause of its own, whose subject is the one who failed
_OTHER_CLAUSE_SUBJECT = r"\b(?:i|i'd|i've|we|you|he|she|they|since|because|after|when|if|and|but|or|that|which|who)\b"


def _failed_therapies(heads: pl.DataFrame, cues: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """(sid, subject) of therapies a sentence says failed: the head right before a failure phrase
    ("standard medications simply haven't worked", "two antidepressants have failed"), a few words from
    the head's start at most and no clause of its own between ("ketamine since I'd failed ...")."""
    failures = cues.filter(pl.col("role") == "failure").select(*SENTENCE_KEY, "start").unique()
    before = asof_before(failures, heads.select(*SENTENCE_KEY, "g_start", "members"), "start", "g_start",
                         ["members", pl.col("g_start").alias("_head_start")])
    # the gap from the head's first word to the failure: its own words and one or two more, no punctuation
    gap = pl.col("folded").str.slice(pl.col("_head_start"), (pl.col("start") - pl.col("_head_start")).clip(lower_bound=0))
    return (with_folded(before.drop_nulls("members"), sentences)
            .filter(gap.str.contains(r"^[a-z0-9 '\-]{0,60}$") & (gap.str.count_matches(r" ") <= 5)
                    & ~gap.str.contains(_OTHER_CLAUSE_SUBJECT))
            .explode("members").select(*SENTENCE_KEY, pl.col("members").alias("subject")).unique())


def with_form_owners(attributed: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """"also some nausea after the second infusion", naming no therapy, after a sentence about Zoloft: a
    form of taking a therapy (an infusion, a nasal spray) stands for the therapy the document gave that
    form before, where the topic carried over was never given it (not a pill: most therapies are swallowed).
    Takes and returns attributed values."""
    routes = attributed.filter((pl.col("attribute") == "route") & (pl.col("value") != "oral") & ~pl.col("negated")
                               & pl.col("subject").is_not_null() & (pl.col("subject") != OUTSIDE_SUBJECT))
    forms = (routes.filter(pl.col("role") == "value").join(groups.select(SENTENCE_KEY).unique(), on=SENTENCE_KEY,
                                                           how="anti")
             .select("doc_id", *SENTENCE_KEY, "value", pl.col("subject").alias("_carried")).unique())
    if forms.is_empty():
        return attributed
    given_before = (forms.join(routes.select("doc_id", pl.col("sid").alias("_sid"), "value", pl.col("subject").alias("_owner")),
                               on=["doc_id", "value"])
                    .filter(pl.col("_sid") < pl.col("sid")))
    topic_had_it = given_before.filter(pl.col("_owner") == pl.col("_carried")).select(*SENTENCE_KEY, "_carried").unique()
    owners = (given_before.join(topic_had_it, on=[*SENTENCE_KEY, "_carried"], how="anti")
              .sort("_sid").group_by(*SENTENCE_KEY, "_carried").agg(pl.col("_owner").last())
              .rename({"_carried": "subject"}))
    return (attributed.join(owners, on=[*SENTENCE_KEY, "subject"], how="left")
            .with_columns(pl.coalesce("_owner", "subject").alias("subject")).drop("_owner"))
