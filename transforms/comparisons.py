"""Explicit comparisons: "Unlike X, Y ...", "X ..., while Y ...", "In contrast, Y ...", "Y is faster than X".

Only sentences with a comparison marker are read. Each side of such a sentence is a subject:
the head groups named in it, plus the subject carried from the sentences before when the marker
points back ("In contrast") or the sentence names only one side. What each side says becomes a
direction on a comparable attribute (onset fast/slow, duration long/short, risk high/low), from
direction phrases (given to the nearest head group before them, else the carried subject) and
from the side's own attribute values ("weeks" is slow against "hours"). A side with a positive
direction the other lacks is `faster_than`/`longer_than`/`higher_than` the other; failing that,
a side with a negative direction the other lacks is `slower_than`/... the other. The side that
"unlike X" or "compared to X" names is the object: a relation found for it is turned round.
"""

from __future__ import annotations

import polars as pl

from transforms.claims import (SENTENCE_KEY, apply_modifiers, asof_after, asof_before, carried_heads, closely_after,
                              cue_ends, document_topics, plural_referents, text_between, with_doc_id,
                              with_folded)
from transforms.ontology import Ontology

_NAMING_MARKERS = ["unlike", "object_after", "than"]
_NAMED_FIRST_MARKERS = ["unlike", "object_after"]
_OBJECT_REACH = 30   # "in contrast with the slow onset of SSRIs": characters from a marker to the therapy it names
_ANAPHOR_REACH = 3   # "than either", "than the others": from a naming marker to an anaphor for the other side
_ARM_REACH = 4      # sentences back to the other side of a one-sided comparative ("the psilocybin group did better")
_COMPARATIVE_REACH = 80  # characters before a value a comparative (and a list it opens) may start: "fewer X, Y and Z"
_OBJECTS_RELATIVE_CLAUSE = r"^\s*,\s*(?:which|who|whose)\b[^,;:.()!?]*$"
_FACT_COLUMNS = [*SENTENCE_KEY, "subject", "attribute", "direction", "start", "negated", "hedged"]


def _likened(facts: pl.DataFrame, cues: pl.DataFrame, ontology: Ontology) -> pl.DataFrame:
    """(sid, attribute) where a direction phrase follows a word of likeness shortly ("Psilocybin also
    tends to work quickly, often within a day or two, whereas ..."): that side is like the other on
    the attribute, whatever its words or values would say. A comparative is never likeness: "also"
    then adds one more difference ("MDMA also appears to work faster")."""
    comparative = cues.filter((pl.col("role") == "marker") & (pl.col("group") == "comparative")).select(
        *SENTENCE_KEY, "start").unique()
    window = ontology.raw["comparisons"]["likeness"]["window"]
    plain_directions = facts.join(comparative, on=[*SENTENCE_KEY, "start"], how="anti")
    return (
        asof_before(plain_directions, cue_ends(cues, "likeness", "_like_end"), "start", "end", ["_like_end"])
        .filter((pl.col("start") - pl.col("_like_end")).is_between(0, window))
        .select(*SENTENCE_KEY, "attribute").unique()
    )


def find_comparisons(sentences: pl.DataFrame, groups: pl.DataFrame, attributed: pl.DataFrame,
                     cues: pl.DataFrame, ontology: Ontology) -> pl.DataFrame:
    """Comparison mentions: doc_id, sentence_no, start, subject, attribute, relation, object, negated, hedged."""
    markers = _without_same_subject_contrasts(cues.filter(pl.col("role") == "marker"), cues)
    before_values = _comparatives_before_values(attributed, sentences, ontology)
    marked = pl.concat([markers.select(SENTENCE_KEY), before_values.select(SENTENCE_KEY)]).unique()
    # "Oral antidepressants take longer": a comparative alone reads only its own words of direction
    only_comparative = marked.join(markers.filter(pl.col("group") != "comparative").select(SENTENCE_KEY),
                                   on=SENTENCE_KEY, how="anti")
    markers = markers.filter(pl.col("group") != "comparative")
    points_back = markers.filter(pl.col("group") == "previous").select(SENTENCE_KEY).unique()
    # markers that name the other side right after them: "than X", "unlike X", "versus X"
    naming_markers = markers.filter(pl.col("group").is_in(_NAMING_MARKERS))
    set_against = naming_markers.select(SENTENCE_KEY).unique()
    # "Unlike X, Y ...": the marker sets the other side apart before the clause about this one
    set_apart_first = markers.filter(pl.col("group") == "unlike").select(SENTENCE_KEY).unique()
    heads = groups.filter(~pl.col("is_example")).join(marked, on=SENTENCE_KEY)
    # "Both act faster than SSRIs": a plural pronoun carries every therapy of the last sentence naming some
    plural = cues.filter(pl.col("role") == "plural_anaphor").select(SENTENCE_KEY).unique().join(marked, on=SENTENCE_KEY)
    carried = pl.concat([
        carried_heads(groups.filter(pl.col("sets_topic")), sentences).join(marked, on=SENTENCE_KEY)
        .join(plural, on=SENTENCE_KEY, how="anti"),
        plural_referents(groups, sentences, cues).join(plural, on=SENTENCE_KEY),
    ])
    # "In contrast, Y ..." sets Y against the topic of the sentence before: its first head
    topic_before = carried_heads(groups.filter(pl.col("sets_topic")), sentences, which="first").join(
        points_back, on=SENTENCE_KEY)

    phrase_facts = apply_modifiers(
        cues.filter(pl.col("role") == "direction").join(marked, on=SENTENCE_KEY)
        .select(*SENTENCE_KEY, "start", "end", "attribute", pl.col("group").alias("direction")),
        cues,
    )
    likened = _likened(phrase_facts, cues, ontology)
    phrase_facts = pl.concat([
        phrase_facts.select(*SENTENCE_KEY, "start", "end", "attribute", "direction", "negated", "hedged"),
        before_values.select(*SENTENCE_KEY, "start", pl.col("start").alias("end"), "attribute", "direction", "negated",
                             "hedged"),
    ])
    # "Sexual dysfunction was reported more often with escitalopram": with no therapy before it, a
    # direction belongs to the one closely after it (not to one it is measured against: "than X")
    # ("X is faster than SSRIs and better tolerated": what is measured against takes no direction)
    subject_heads = heads.filter(~pl.col("is_object"))
    # (also past a contrast: "headache was more common after psilocybin, whereas blunting was reported
    # more often with escitalopram")
    across_contrast = (pl.col("st_end").is_not_null() & pl.col("g_start").is_not_null()
                       & (pl.col("st_end") > pl.col("g_start"))).fill_null(False)
    closely_followed = closely_after("end", _OBJECT_REACH, start="_next_start")
    phrase_facts = asof_before(phrase_facts, subject_heads, "start", "g_start", ["g_start", "members"])
    phrase_facts = asof_after(phrase_facts, subject_heads, "end", "g_start",
                              [pl.col("g_start").alias("_next_start"), pl.col("members").alias("_next_members")])
    phrase_facts = asof_before(phrase_facts, cue_ends(cues, "terminator", "st_end", "strong"), "start", "end", ["st_end"])
    # "far more than a generic antidepressant, which can cost less than $20": a relative clause right after
    # the therapy measured against is about that therapy
    phrase_facts = asof_before(phrase_facts, heads.filter(pl.col("is_object")), "start", "g_start",
                               [pl.col("g_end").alias("_object_end"), pl.col("members").alias("_object_members")])
    in_objects_clause = (pl.col("_object_end").is_not_null() & (pl.col("_object_end") <= pl.col("start"))
                         & text_between("_object_end").str.contains(_OBJECTS_RELATIVE_CLAUSE)).fill_null(False)
    phrase_facts = (
        phrase_facts
        .join(carried, on=SENTENCE_KEY, how="left")
        .pipe(with_folded, sentences)
        .with_columns(pl.coalesce(pl.when(in_objects_clause).then(pl.col("_object_members")),
                                  pl.when(across_contrast & closely_followed).then(pl.col("_next_members")), "members",
                                  pl.when(closely_followed).then(pl.col("_next_members")), "carried")
                      .alias("subject"))
        .explode("subject")
        .drop_nulls("subject")
        .select(_FACT_COLUMNS)
    )
    anaphoric = _anaphoric_objects(cues.join(marked, on=SENTENCE_KEY), groups, sentences)
    bound = _bound_objects(phrase_facts, cues, heads, sentences, anaphoric)
    in_marked = attributed.join(marked, on=SENTENCE_KEY)
    value_facts = pl.concat([
        in_marked.join(ontology.value_directions(), on=["attribute", "value"]).select(_FACT_COLUMNS),
        # "Unlike SSRIs, ketamine does not cause weight gain": a negated harm is the lower side, where
        # a marker names what it is set against ("SSRIs are not addictive, but ..." is no comparison)
        in_marked.filter(pl.col("negated")).join(set_against, on=SENTENCE_KEY)
        .join(ontology.negated_value_directions(), on="attribute")
        .with_columns(pl.lit(False).alias("negated")).select(_FACT_COLUMNS),
        # "Unlike psilocybin, MDMA carries a potential for misuse": an asserted harm is the higher side
        # where a marker sets the other side apart first (not after "than": "faster than SSRIs, but can
        # cause dissociation" compares onset alone; nor after "different from", which sets no side higher)
        in_marked.filter(~pl.col("negated")).join(set_apart_first, on=SENTENCE_KEY)
        .join(ontology.asserted_value_directions(), on="attribute").select(_FACT_COLUMNS),
    ])
    side = [*SENTENCE_KEY, "subject", "attribute"]
    facts = (
        pl.concat([phrase_facts.with_columns(pl.lit(True).alias("_phrase")),
                   value_facts.with_columns(pl.lit(False).alias("_phrase"))])
        .filter(~pl.col("negated"))
        .join(likened, on=[*SENTENCE_KEY, "attribute"], how="anti")
        .join(only_comparative.with_columns(pl.lit(True).alias("_only_comparative")), on=SENTENCE_KEY, how="left")
        .filter(pl.col("_phrase") | pl.col("_only_comparative").is_null())
        # "psilocybin is slower than ketamine, but works within a day": a side's own words of direction
        # outweigh what its values would say
        .filter(pl.col("_phrase") | ~pl.col("_phrase").any().over(side))
        .group_by(side)
        .agg(
            pl.col("direction").unique().alias("directions"),
            pl.col("start").min().alias("start"),
            pl.col("hedged").all().alias("hedged"),
            pl.col("_phrase").any().alias("_worded"),
        )
    )

    named = heads.explode("members").select(*SENTENCE_KEY, pl.col("members").alias("subject")).unique()
    n_named = named.group_by(SENTENCE_KEY).agg(pl.len().alias("_n"))
    from_before = (
        pl.concat([
            carried.join(points_back, on=SENTENCE_KEY, how="anti").join(n_named, on=SENTENCE_KEY)
            .filter(pl.col("_n") < 2).drop("_n"),
            topic_before,
        ])
        .explode("carried")
        .select(*SENTENCE_KEY, pl.col("carried").alias("subject"))
        .drop_nulls("subject")
    )
    sides = pl.concat([named, from_before, anaphoric.select(*SENTENCE_KEY, "subject")]).unique()
    # "Escitalopram users also reported more sexual problems": a comparative alone with one side only,
    # named or carried, is set against the document's topic
    one_sided = only_comparative.join(
        sides.group_by(SENTENCE_KEY).agg(pl.len().alias("_n")).filter(pl.col("_n") > 1), on=SENTENCE_KEY, how="anti")
    comparative_topics = (
        one_sided.join(sentences.select(*SENTENCE_KEY, "doc_id"), on=SENTENCE_KEY)
        .join(document_topics(groups, sentences, ontology.foil_subjects()), on="doc_id")
        .explode("members").select(*SENTENCE_KEY, pl.col("members").alias("subject"))
    )
    sides = pl.concat([sides, comparative_topics]).unique()
    # "Psilocybin patients also reported fewer side effects", where psilocybin is the topic: the side is
    # set against the last other therapy named shortly before (a trial's other arm)
    sides = pl.concat([sides, _last_other_named(one_sided, sides, groups, sentences)]).unique()
    pairs = sides.join(sides, on=SENTENCE_KEY, suffix="_b").filter(pl.col("subject") != pl.col("subject_b"))
    # where the only markers name what follows them as the other side ("than", "versus", "unlike"), that
    # side must be a therapy they name: "remission was 27% with esketamine versus 18% with quetiapine" sets
    # nothing against esketamine when quetiapine is not a therapy of the vocabulary
    object_marked = markers.group_by(SENTENCE_KEY).agg(
        pl.col("group").is_in(_NAMING_MARKERS).all().alias("_only")).filter(pl.col("_only")).select(SENTENCE_KEY)
    marked_objects = _named_after(naming_markers, heads, sentences, anaphoric).rename({"subject": "subject_b"})
    # (a pair whose first side is the named one is kept too: it is turned round below)
    in_object_marked = pairs.join(object_marked, on=SENTENCE_KEY)
    pairs = pl.concat([pairs.join(object_marked, on=SENTENCE_KEY, how="anti"),
                       in_object_marked.join(marked_objects, on=[*SENTENCE_KEY, "subject_b"]),
                       in_object_marked.join(marked_objects.rename({"subject_b": "subject"}), on=[*SENTENCE_KEY, "subject"])
                       ]).unique()

    relations = ontology.direction_relations()
    positive = relations.filter(pl.col("positive")).select("attribute", pl.col("direction").alias("pos"),
                                                           pl.col("relation").alias("pos_relation"))
    negative = relations.filter(~pl.col("positive")).select("attribute", pl.col("direction").alias("neg"),
                                                            pl.col("relation").alias("neg_relation"))
    b_facts = facts.select(*SENTENCE_KEY, pl.col("subject").alias("subject_b"), "attribute",
                           pl.col("directions").alias("directions_b"), pl.col("_worded").alias("_worded_b"))
    # "Spravato can act within days, but IV ketamine tends to be quicker": a side's word of direction is
    # relative, and outweighs the same direction the other side's values alone would give it
    outweighs = pl.col("_worded") & ~pl.col("_worded_b").fill_null(False)
    scored = (
        pairs.join(facts, on=[*SENTENCE_KEY, "subject"])
        .join(b_facts, on=[*SENTENCE_KEY, "subject_b", "attribute"], how="left")
        .join(positive, on="attribute")
        .join(negative, on="attribute")
        .with_columns(pl.col("directions_b").fill_null(pl.lit([], dtype=pl.List(pl.String))))
        .with_columns(
            a_pos=pl.col("directions").list.contains(pl.col("pos")),
            a_neg=pl.col("directions").list.contains(pl.col("neg")),
            b_pos=pl.col("directions_b").list.contains(pl.col("pos")),
            b_neg=pl.col("directions_b").list.contains(pl.col("neg")),
        )
        .with_columns(b_pos=pl.col("b_pos") & ~(outweighs & pl.col("a_pos")),
                      b_neg=pl.col("b_neg") & ~(outweighs & pl.col("a_neg")))
        .with_columns(
            pl.when(pl.col("a_pos") & ~pl.col("b_pos"))
            .then(pl.col("pos_relation"))
            .when(pl.col("a_neg") & ~pl.col("b_neg") & ~(pl.col("b_pos") & ~pl.col("a_pos")))
            .then(pl.col("neg_relation"))
            .alias("relation")
        )
        .drop_nulls("relation")
        .join(bound, on=[*SENTENCE_KEY, "subject", "attribute"], how="left")
        .filter(pl.col("bound").is_null() | pl.col("bound").list.contains(pl.col("subject_b")))
    )
    # "It took a few days to feel the shift, but it has lasted much longer than ketamine": "than" completes
    # a comparative; against the therapy it names, a side's values ("a few days") set no direction
    than_objects = _named_after(markers.filter(pl.col("group") == "than"), heads, sentences, anaphoric).rename(
        {"subject": "subject_b"})
    scored = pl.concat([
        scored.filter(pl.col("_worded")),
        scored.filter(~pl.col("_worded")).join(than_objects, on=[*SENTENCE_KEY, "subject_b"], how="anti"),
    ])
    # "Compared to Lexapro, which killed my sex drive, microdosing has had no side effects": the side a
    # marker names first ("unlike X", "compared to X") is the object, whichever side's words set the
    # direction: the main clause's subject is the subject, and the relation is turned round
    named_first = _named_after(markers.filter(pl.col("group").is_in(_NAMED_FIRST_MARKERS)), heads, sentences).with_columns(
        pl.lit(True).alias("_named_first"))
    # ... and so is the side "than" names, where only its own words set the direction ("far more than a
    # generic antidepressant, which can cost less than $20")
    measured_against = than_objects.rename({"subject_b": "subject"}).unique().with_columns(pl.lit(True).alias("_measured"))
    scored = (
        scored.join(named_first, on=[*SENTENCE_KEY, "subject"], how="left")
        .join(measured_against, on=[*SENTENCE_KEY, "subject"], how="left")
        .join(measured_against.rename({"subject": "subject_b", "_measured": "_measured_b"}), on=[*SENTENCE_KEY, "subject_b"],
              how="left")
        .with_columns((pl.col("_named_first").fill_null(False)
                       | (pl.col("_measured").fill_null(False) & ~pl.col("_measured_b").fill_null(False)))
                      .alias("_named_first"))
        .with_columns(
            pl.when(pl.col("_named_first")).then(pl.col("subject_b")).otherwise(pl.col("subject")).alias("subject"),
            pl.when(pl.col("_named_first")).then(pl.col("subject")).otherwise(pl.col("subject_b")).alias("subject_b"),
            pl.when(~pl.col("_named_first")).then(pl.col("relation"))
            .when(pl.col("relation") == pl.col("pos_relation")).then(pl.col("neg_relation"))
            .otherwise(pl.col("pos_relation")).alias("relation"),
        )
    )
    return scored.select(
        *SENTENCE_KEY, "start", "subject", "attribute", "relation", pl.col("subject_b").alias("object"),
        pl.lit(False).alias("negated"), "hedged",
    ).unique([*SENTENCE_KEY, "subject", "attribute", "relation", "object"], keep="first", maintain_order=True)


def _without_same_subject_contrasts(markers: pl.DataFrame, cues: pl.DataFrame) -> pl.DataFrame:
    """"They help many people, but they often take weeks": a contrast whose clause opens with a pronoun
    (the therapy already named) sets a therapy against itself, not against another."""
    pronoun_starts = cues.filter(pl.col("role") == "anaphor").select(*SENTENCE_KEY, pl.col("start").alias("_p_start"))
    contrasts = markers.filter(pl.col("group") == "contrast").select(*SENTENCE_KEY, "start", "end")
    self_set = (contrasts.join(pronoun_starts, on=SENTENCE_KEY)
                .filter((pl.col("_p_start") - pl.col("end")).is_between(0, 1))
                .select(*SENTENCE_KEY, "start").unique())
    return markers.join(self_set, on=[*SENTENCE_KEY, "start"], how="anti")


def _comparatives_before_values(attributed: pl.DataFrame, sentences: pl.DataFrame, ontology: Ontology
                                ) -> pl.DataFrame:
    """Directions read from a comparative right before a value ("reported more drowsiness"): sid,
    start, attribute, direction, negated, hedged (the value's own)."""
    return (_after_comparatives(attributed.select(*SENTENCE_KEY, "start", "attribute", "negated", "hedged"),
                                ontology.value_comparatives(), sentences)
            .select(*SENTENCE_KEY, "start", "attribute", "direction", "negated", "hedged").unique())


def _after_comparatives(values: pl.DataFrame, comparatives: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """The value mentions a comparative (attribute, direction, pattern) comes right before, with its direction."""
    before = pl.col("folded").str.slice(0, pl.col("start")).str.slice(-_COMPARATIVE_REACH)
    return (with_folded(values.join(comparatives, on="attribute"), sentences)
            .filter(before.str.contains(pl.col("pattern"))).drop("folded", "pattern"))


def values_of_the_greater_side(attributed: pl.DataFrame, comparisons: pl.DataFrame, sentences: pl.DataFrame,
                               ontology: Ontology) -> pl.DataFrame:
    """"Psilocybin caused fewer sexual side effects than the SSRI": a value a comparative of less comes
    right before is said of the side it is compared with (the SSRI has it), not of the side with less
    of it. And "Compared with SSRIs, psilocybin rarely causes weight gain": a value denied of the lower
    side (before any "than") is said of the other side. Takes and returns attributed value mentions; comparisons as
    `find_comparisons` gives them."""
    key = [*SENTENCE_KEY, "start", "attribute", "subject"]
    lower = comparisons.filter(pl.col("relation") == "lower_than").select(*SENTENCE_KEY, "subject", "attribute",
                                                                          "object").unique()
    lessened = _after_comparatives(attributed.select(*key).unique(),
                                   ontology.value_comparatives().filter(pl.col("direction") == "low"), sentences)
    moved = lessened.join(lower, on=[*SENTENCE_KEY, "subject", "attribute"]).select(*key, "object")
    # (not a denial after the comparison's "than": "fewer side effects than the SSRI and did not cause
    # emotional blunting" denies the blunting of psilocybin alone)
    denied = (with_folded(attributed.filter(pl.col("negated")).join(lower, on=[*SENTENCE_KEY, "subject", "attribute"]),
                          sentences)
              .filter(~pl.col("folded").str.slice(0, pl.col("start")).str.contains(r"\bthan\b")).drop("folded"))
    return pl.concat([
        attributed.join(moved, on=key, how="anti"),
        attributed.join(moved, on=key).with_columns(pl.col("object").alias("subject")).drop("object"),
        denied.with_columns(pl.col("object").alias("subject"), pl.lit(False).alias("negated")).drop("object"),
    ])


def _named_after(markers: pl.DataFrame, heads: pl.DataFrame, sentences: pl.DataFrame,
                 anaphoric: pl.DataFrame | None = None) -> pl.DataFrame:
    """(sentence, subject): the therapies of the head group closely after each marker ("unlike X", "than
    the SSRIs"); "versus 18% with quetiapine, and more patients on esketamine" names none. `anaphoric`
    (`_anaphoric_objects`) adds what an anaphor after a marker points back to."""
    return _named_after_each(markers, heads, sentences, anaphoric).select(*SENTENCE_KEY, "subject").unique()


def _named_after_each(markers: pl.DataFrame, heads: pl.DataFrame, sentences: pl.DataFrame,
                      anaphoric: pl.DataFrame | None = None) -> pl.DataFrame:
    """(sentence, marker end `m_end`, subject): `_named_after`, per marker."""
    after = asof_after(markers.select(*SENTENCE_KEY, "end"), heads, "end", "g_start",
                       [pl.col("g_start").alias("start"), "members"]).drop_nulls("members")
    named = (with_folded(after, sentences).filter(closely_after("end", _OBJECT_REACH)).explode("members")
             .select(*SENTENCE_KEY, pl.col("end").alias("m_end"), pl.col("members").alias("subject")))
    if anaphoric is not None:
        named = pl.concat([named, anaphoric.join(markers.select(*SENTENCE_KEY, pl.col("end").alias("m_end")),
                                                 on=[*SENTENCE_KEY, "m_end"])])
    return named.unique()


def _anaphoric_objects(cues: pl.DataFrame, groups: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """(sentence, marker end `m_end`, subject): "SSRIs remain cheaper and easier to get than either": an
    anaphor right after a naming marker sets the side against every therapy of the last sentence
    naming some; "faster than anything else I've tried", against every therapy the document named
    before."""
    anaphors = cues.filter(pl.col("role") == "object_anaphor").select(*SENTENCE_KEY, "start", "group").unique()
    naming_ends = cues.filter((pl.col("role") == "marker") & pl.col("group").is_in(_NAMING_MARKERS)).select(
        *SENTENCE_KEY, "end", pl.col("end").alias("m_end")).unique([*SENTENCE_KEY, "end"])
    pointed = (with_folded(asof_before(anaphors, naming_ends, "start", "end", ["m_end"]), sentences)
               .filter(closely_after("m_end", _ANAPHOR_REACH)).select(*SENTENCE_KEY, "m_end", "group"))
    if pointed.is_empty():
        return pl.DataFrame(schema={**{k: pl.Int64 for k in SENTENCE_KEY}, "m_end": pl.Int64, "subject": pl.String})
    named = groups.filter(~pl.col("is_example"))
    last_sentence = carried_heads(named, sentences, which="all").explode("carried")
    first_named = (with_doc_id(named.select(*SENTENCE_KEY, "members").explode("members"), sentences)
                   .group_by("doc_id", "members").agg(pl.col("sid").min().alias("_first_sid")))
    document = (with_doc_id(pointed.filter(pl.col("group") == "document").select(SENTENCE_KEY), sentences)
                .join(first_named, on="doc_id").filter(pl.col("_first_sid") < pl.col("sid"))
                .select(*SENTENCE_KEY, pl.col("members").alias("carried")))
    return (pl.concat([pointed.filter(pl.col("group") == "last_sentence").join(last_sentence, on=SENTENCE_KEY),
                       pointed.filter(pl.col("group") == "document").join(document, on=SENTENCE_KEY)],
                      how="diagonal_relaxed")
            .drop_nulls("carried")
            .select(*SENTENCE_KEY, pl.col("m_end").cast(pl.Int64), pl.col("carried").alias("subject")).unique())


def _bound_objects(phrase_facts: pl.DataFrame, cues: pl.DataFrame, heads: pl.DataFrame, sentences: pl.DataFrame,
                   anaphoric: pl.DataFrame) -> pl.DataFrame:
    """(sentence, subject, attribute, bound: list of objects): "Ketamine works much faster than SSRIs,
    but its effects are shorter-lived than those of psilocybin": a comparative's words are measured
    against what the first "than" after them names, not every therapy the sentence sets against."""
    than_markers = cues.filter((pl.col("role") == "marker") & (pl.col("group") == "than"))
    objects = _named_after_each(than_markers, heads, sentences, anaphoric)
    next_than = than_markers.select(*SENTENCE_KEY, "start", pl.col("end").alias("m_end")).unique([*SENTENCE_KEY, "start"])
    return (asof_after(phrase_facts.select(*SENTENCE_KEY, "subject", "attribute", "start"), next_than, "start",
                       "start", ["m_end"])
            .drop_nulls("m_end")
            .join(objects, on=[*SENTENCE_KEY, "m_end"], suffix="_bound")
            .group_by([*SENTENCE_KEY, "subject", "attribute"])
            .agg(pl.col("subject_bound").unique().alias("bound")))


def _last_other_named(one_sided: pl.DataFrame, sides: pl.DataFrame, groups: pl.DataFrame,
                      sentences: pl.DataFrame) -> pl.DataFrame:
    """(sentence, subject): for a one-sided comparative that still has a single side (its only therapy
    is the document's topic), the last other therapy named as a head in the `_ARM_REACH` sentences
    before it: what a trial's report sets the arm against ("The others took escitalopram. ... Psilocybin
    patients also reported fewer side effects")."""
    position = sentences.select(*SENTENCE_KEY, "doc_id", "sentence_no")
    # (not where "than" names what it is set against, a therapy or not: "before anyone can say that
    # psilocybin is better than existing drugs")
    no_than = with_folded(one_sided, sentences).filter(~pl.col("folded").str.contains(r"\bthan\b")).select(SENTENCE_KEY)
    single = (no_than.join(sides, on=SENTENCE_KEY).group_by(SENTENCE_KEY)
              .agg(pl.col("subject").first(), pl.len().alias("_n")).filter(pl.col("_n") == 1).drop("_n")
              .join(position, on=SENTENCE_KEY))
    named = (groups.filter(~pl.col("is_example") & ~pl.col("is_object")).explode("members")
             .join(position, on=SENTENCE_KEY)
             .select("doc_id", pl.col("sentence_no").alias("_at"), "g_start", pl.col("members").alias("_other")))
    return (single.join(named, on="doc_id")
            .filter((pl.col("_at") < pl.col("sentence_no")) & (pl.col("_at") >= pl.col("sentence_no") - _ARM_REACH)
                    & (pl.col("_other") != pl.col("subject")))
            .sort("_at", "g_start")
            .group_by(SENTENCE_KEY).agg(pl.col("_other").last().alias("subject")))
