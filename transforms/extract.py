"""Extraction entry point: documents in, claims and comparisons out (pure polars, no I/O)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from transforms.claims import (SENTENCE_KEY, apply_modifiers, apposition_values, attribute_subjects, complement_mentions,
                               question_topics, resolve_context, subject_groups, with_doc_id, with_form_owners)
from transforms.comparisons import find_comparisons, values_of_the_greater_side
from transforms.ids import stable_ids
from transforms.mentions import find_mentions, with_word_view
from transforms.ontology import OUTSIDE_SUBJECT, Ontology, default_ontology
from transforms.sentences import split_sentences

CLAIM_SCHEMA = {
    "claim_id": pl.String, "doc_id": pl.String, "subject": pl.String, "attribute": pl.String, "value": pl.String,
    "negated": pl.Boolean, "hedged": pl.Boolean, "evidence": pl.String, "char_start": pl.Int64,
    "char_end": pl.Int64, "n_mentions": pl.Int64, "extractor_version": pl.String,
}
COMPARISON_SCHEMA = {
    "comparison_id": pl.String, "doc_id": pl.String, "subject": pl.String, "attribute": pl.String,
    "relation": pl.String, "object": pl.String, "negated": pl.Boolean, "hedged": pl.Boolean,
    "evidence": pl.String, "char_start": pl.Int64, "char_end": pl.Int64, "n_mentions": pl.Int64,
    "extractor_version": pl.String,
}
CLAIM_KEY = ["doc_id", "subject", "attribute", "value", "negated"]
COMPARISON_KEY = ["doc_id", "subject", "attribute", "relation", "object", "negated"]

_CODE_FILES = ["textfold.py", "sentences.py", "mentions.py", "claims.py", "comparisons.py", "extract.py",
               "ontology.py", "ids.py", "data/cleaning.yaml"]


@lru_cache(maxsize=4)
def extractor_version(ontology_sha256: str) -> str:
    """A short hash of the extraction code, the cleaning rules and the ontology in force."""
    digest = hashlib.sha256(ontology_sha256.encode())
    here = Path(__file__).parent
    for name in _CODE_FILES:
        digest.update((here / name).read_bytes())
    return "x-" + digest.hexdigest()[:12]


def current_extractor_version(ontology: Ontology | None = None) -> str:
    return extractor_version((ontology or default_ontology()).sha256)


@dataclass(frozen=True)
class Extraction:
    claims: pl.DataFrame
    comparisons: pl.DataFrame


def extract(documents: pl.DataFrame, ontology: Ontology | None = None) -> Extraction:
    """documents(doc_id, text) -> claims and comparisons with evidence offsets into text."""
    ontology = ontology or default_ontology()
    version = extractor_version(ontology.sha256)
    # work on integer document numbers (cheap joins); the real ids come back in _collapse
    doc_ids = documents.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("doc_no"), "doc_id")
    numbered = documents.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("doc_id"), "text")
    sentences = split_sentences(numbered).with_row_index("sid").with_columns(pl.col("sid").cast(pl.Int64))
    sentences = with_word_view(sentences)      # both lexicon scans below read it
    entities = find_mentions(sentences, ontology.entity_lexicon).drop("layer")
    # contexts and cues only shape subjects and values: look for them where there are some (and in
    # questions, whose pronouns may name the page's topic; and where a phrase stands for the therapies
    # named before: "it worked faster than anything else I've tried")
    named = sentences.filter(pl.col("sid").is_in(entities["sid"].unique().implode()) | pl.col("is_question")
                             | pl.col("folded").str.contains_any(ontology.document_object_anaphors()))
    modifiers = find_mentions(named, ontology.modifier_lexicon)
    contexts, cues = (modifiers.filter(pl.col("layer") == layer).drop("layer") for layer in ("contexts", "cues"))
    cues = _without_coordinating_pairs(_without_examples_inside_values(cues, entities), sentences)

    parents = {s: spec.get("parent") for s, spec in ontology.subjects.items()}
    groups = subject_groups(entities.filter(pl.col("role").is_in(["subject", "class_noun"])), cues, sentences, parents)
    foils = ontology.foil_subjects()
    groups = pl.concat([groups, question_topics(groups, sentences, cues, foils)]).sort([*SENTENCE_KEY, "g_start"])
    values = resolve_context(entities.filter(pl.col("role").is_in(["value", "implied"])), contexts,
                             ontology.contexts_before_only())
    values = pl.concat([values, apposition_values(groups, ontology.class_values())], how="diagonal_relaxed")
    values = apply_modifiers(values, cues)
    asserted = sentences.filter(~pl.col("is_question")).select(SENTENCE_KEY)
    complements = complement_mentions(entities.filter(pl.col("role") == "subject"), cues, sentences)
    attributed = attribute_subjects(values.join(asserted, on=SENTENCE_KEY), groups, sentences, cues,
                                    ontology.sentence_topic_attributes(), foils, complements)
    attributed = with_form_owners(attributed, groups)
    ours = pl.col("subject") != OUTSIDE_SUBJECT
    # a question compares nothing either ("Which is safer?")
    comparisons = (find_comparisons(sentences, groups, attributed, cues, ontology).join(asserted, on=SENTENCE_KEY)
                   .filter(ours & (pl.col("object") != OUTSIDE_SUBJECT)))
    attributed = values_of_the_greater_side(attributed, comparisons, sentences, ontology)
    claims = _collapse(attributed.filter(ours), sentences, doc_ids, CLAIM_KEY, version, "claim_id").select(
        list(CLAIM_SCHEMA))
    comparisons = _collapse(comparisons, sentences, doc_ids, COMPARISON_KEY, version, "comparison_id").select(
        list(COMPARISON_SCHEMA))
    return Extraction(claims.cast(CLAIM_SCHEMA), comparisons.cast(COMPARISON_SCHEMA))


def _without_examples_inside_values(cues: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    """An example cue inside a value phrase is part of it ("made me feel like a zombie"): it makes no
    therapy after it an example."""
    examples = cues.filter(pl.col("role") == "example").select(*SENTENCE_KEY, "start", "end").unique()
    spans = entities.filter(pl.col("role") == "value").select(*SENTENCE_KEY, pl.col("start").alias("v_start"),
                                                              pl.col("end").alias("v_end"))
    inside = (examples.join(spans, on=SENTENCE_KEY)
              .filter((pl.col("v_start") <= pl.col("start")) & (pl.col("end") <= pl.col("v_end")))
              .select(*SENTENCE_KEY, "start", "end", pl.lit("example").alias("role")).unique())
    return cues.join(inside, on=[*SENTENCE_KEY, "start", "end", "role"], how="anti")


# the word that opens a pair, and the conjunction that joins it
_PAIR_OPENERS = {"both": "and", "either": "or"}


def _without_coordinating_pairs(cues: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """"both serotonin and norepinephrine", "than either ketamine or psilocybin": a "both" or "either" that
    opens a pair coordinates the pair; it points back to no therapies."""
    openers = cues.filter(pl.col("phrase").is_in(list(_PAIR_OPENERS))).select(*SENTENCE_KEY, "start", "end",
                                                                               "phrase").unique()
    after = sentences["folded"].gather(openers["sid"]).str.slice(openers["end"], 60)
    joins = openers["phrase"].replace_strict(_PAIR_OPENERS)
    opening_pair = openers.filter(after.str.extract(r"^\s+(?:[a-z0-9\-]+\s+){1,3}?(and|or)\s", 1) == joins)
    return cues.join(opening_pair.drop("phrase"), on=[*SENTENCE_KEY, "start", "end"], how="anti")


FAILURE_SCHEMA = {"doc_id": pl.String, "detail": pl.String}
PROBES = 8


class ExtractorBroken(RuntimeError):
    """The extractor fails on every document it is tried on: a broken rule, not bad documents."""


def extract_isolating(documents: pl.DataFrame, ontology: Ontology | None = None) -> tuple[Extraction, pl.DataFrame]:
    """`extract`, except that a document the extractor fails on is set aside instead of failing its
    whole batch: (claims and comparisons of the rest, failed documents with the error).

    A failing batch is halved until the failing documents stand alone, so the cost is paid only
    when something fails. Before halving, a few documents spread over the batch are tried alone: when
    every one of them fails too, the fault is the extractor's, and `ExtractorBroken` stops the run at
    once instead of isolating every document one by one (a batch of n costs about n log2 n then)."""
    return _isolated(documents, ontology, probe=True)


def _isolated(documents: pl.DataFrame, ontology: Ontology | None, probe: bool) -> tuple[Extraction, pl.DataFrame]:
    try:
        return extract(documents, ontology), pl.DataFrame(schema=FAILURE_SCHEMA)
    except Exception as error:          # noqa: BLE001 - any extractor bug must cost one document, not the run
        if documents.height <= 1:
            return _empty_extraction(), _failure(documents, error)
        if probe and documents.height > PROBES:
            _probe(documents, ontology, error)
    return _halved(documents, ontology)


def _probe(documents: pl.DataFrame, ontology: Ontology | None, batch_error: Exception) -> None:
    """Raise `ExtractorBroken` when every one of `PROBES` documents spread over the batch fails alone."""
    step = documents.height // PROBES
    for position in range(0, step * PROBES, step):
        try:
            extract(documents.slice(position, 1), ontology)
            return
        except Exception:               # noqa: BLE001, S112 - a failing probe is what is being counted
            continue
    raise ExtractorBroken(
        f"the extractor failed on each of {PROBES} documents tried alone out of a batch of {documents.height} "
        f"({type(batch_error).__name__}: {batch_error}); a rule or the ontology is broken: "
        "`kvp evaluate` on a gold file shows the error") from batch_error


def _halved(documents: pl.DataFrame, ontology: Ontology | None) -> tuple[Extraction, pl.DataFrame]:
    half = documents.height // 2
    parts = [_isolated(part, ontology, probe=False) for part in (documents.head(half), documents.tail(-half))]
    return (Extraction(pl.concat([p[0].claims for p in parts]), pl.concat([p[0].comparisons for p in parts])),
            pl.concat([p[1] for p in parts]))


def _failure(documents: pl.DataFrame, error: Exception) -> pl.DataFrame:
    return documents.select("doc_id", pl.lit(f"{type(error).__name__}: {error}"[:500]).alias("detail")).cast(
        FAILURE_SCHEMA)


def _empty_extraction() -> Extraction:
    return Extraction(pl.DataFrame(schema=CLAIM_SCHEMA), pl.DataFrame(schema=COMPARISON_SCHEMA))


def _collapse(mentions: pl.DataFrame, sentences: pl.DataFrame, doc_ids: pl.DataFrame, key: list[str],
              version: str, id_name: str) -> pl.DataFrame:
    """One row per key: the evidence is the first unhedged mention's sentence, mentions counted."""
    evidence = sentences.select(*SENTENCE_KEY, pl.col("text").alias("evidence"), "char_start", "char_end")
    mentions = with_doc_id(mentions, sentences)
    collapsed = (
        mentions.sort([*key, "hedged", "sid", "start"])
        .group_by(key, maintain_order=True)
        .agg(pl.col("sid").first(), pl.col("hedged").first(), pl.len().cast(pl.Int64).alias("n_mentions"))
        .join(evidence, on=SENTENCE_KEY, how="left")
        .join(doc_ids, left_on="doc_id", right_on="doc_no", suffix="_real")
        .with_columns(pl.col("doc_id_real").alias("doc_id"), pl.lit(version).alias("extractor_version"))
        .drop("doc_id_real")
    )
    return collapsed.with_columns(stable_ids(collapsed, key).alias(id_name)).sort(key)
