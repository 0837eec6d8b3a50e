"""The ontology file, loaded once and compiled into lexicon frames the extractor joins against.

Words live in `data/ontology.yaml`; this module only expands its phrase syntax, folds phrases the
same way the text is folded (see `transforms.textfold`) and checks it against the vocabulary.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from transforms.textfold import fold_phrase

DATA_DIR = Path(__file__).parent / "data"
ONTOLOGY_PATH = DATA_DIR / "ontology.yaml"
VOCABULARY_PATH = DATA_DIR / "vocabulary.yaml"
# the subject of the ontology's `outside_treatments`: attributed like a therapy, never published
OUTSIDE_SUBJECT = "outside_vocabulary"

_OPTIONAL_SUFFIX = re.compile(r"\(([a-z]+)\)")
# the list items (of up to four words) a comparative's value may come after: "less nausea, headache and ",
# "fewer side effects such as emotional blunting and "; none is the value right after the comparative
_LIST_ITEMS_BEFORE = (r"(?:(?:[a-z0-9\-]+\s+){0,3}?[a-z0-9\-]+"
                      r"(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+|\s*,?\s+(?:such as|like|including)\s+))*")

LEXICON_SCHEMA = {
    "phrase": pl.String,
    "role": pl.String,
    "subject": pl.String,
    "attribute": pl.String,
    "value": pl.String,
    "needs": pl.String,
    "excludes": pl.String,
    "group": pl.String,
    "window": pl.Int32,
}


class OntologyError(ValueError):
    """The ontology file contradicts the vocabulary or itself."""


def expand_phrase(phrase: str) -> list[str]:
    """All surface forms of one phrase: optional suffixes "(s)" and hyphen/space variants."""
    parts = _OPTIONAL_SUFFIX.split(phrase)
    # parts alternates literal text and optional suffixes: lit, opt, lit, opt, lit ...
    choices = [[p] if i % 2 == 0 else ["", p] for i, p in enumerate(parts)]
    forms = {"".join(combo) for combo in itertools.product(*choices)}
    for form in list(forms):
        if "-" in form and not form.startswith("-") and re.search(r"[a-z]-[a-z]", form):
            forms.add(re.sub(r"(?<=[a-z])-(?=[a-z])", " ", form))
    return sorted(fold_phrase(f) for f in forms if f.strip())


@dataclass(frozen=True)
class Ontology:
    """The ontology in force: ids, labels, lexicons, and the hash that versions them."""

    raw: dict[str, Any]
    vocabulary: dict[str, Any]
    sha256: str
    entities: pl.DataFrame = field(repr=False)   # subjects and attribute values: one matching pass
    contexts: pl.DataFrame = field(repr=False)   # context groups: a pass of their own, so no cue hides them
    cues: pl.DataFrame = field(repr=False)       # modifiers, comparison markers and directions

    @property
    def entity_lexicon(self) -> pl.DataFrame:
        return self.entities.with_columns(pl.lit("entities").alias("layer"))

    @property
    def modifier_lexicon(self) -> pl.DataFrame:
        """Contexts and cues: they only matter in sentences that name a subject or a value."""
        return pl.concat([self.contexts.with_columns(pl.lit("contexts").alias("layer")),
                          self.cues.with_columns(pl.lit("cues").alias("layer"))])

    @property
    def version(self) -> str:
        return str(self.raw["version"])

    @property
    def subjects(self) -> dict[str, dict[str, Any]]:
        return self.raw["subjects"]

    @property
    def attributes(self) -> dict[str, dict[str, Any]]:
        return self.raw["attributes"]

    def contexts_before_only(self) -> list[str]:
        """Context groups that count only before the value they qualify (`side: before`): "three
        8-hour sessions" is a count of sessions, "sessions supervised by two therapists" is not."""
        return sorted(name for name, spec in self.raw["contexts"].items() if spec.get("side") == "before")

    def allowed_values(self) -> dict[str, list[str]]:
        """Attribute id -> the value ids it admits (value aliases folded into their target)."""
        allowed: dict[str, list[str]] = {}
        for attribute, spec in self.attributes.items():
            values = {vspec.get("value", vid) for vid, vspec in spec["values"].items()}
            allowed[attribute] = sorted(values)
        return allowed

    def sentence_topic_attributes(self) -> list[str]:
        return list(self.raw["attribution"]["sentence_topic_attributes"])

    def document_object_anaphors(self) -> list[str]:
        """Phrases standing for every therapy a document named before ("anything else I've tried"): a
        sentence holding one may compare without naming a therapy itself."""
        return [p.lower() for p in self.raw["comparisons"].get("document_object_anaphors", [])]

    def foil_subjects(self) -> list[str]:
        """The subjects named in `attribution.foils`, and every subject under them."""
        foils = set(self.raw["attribution"].get("foils", []))
        return sorted(name for name, spec in self.subjects.items() if name in foils or spec.get("parent") in foils)

    def comparison_relations(self) -> list[str]:
        return list(self.vocabulary["comparisons"]["relations"])

    def comparison_attributes(self) -> list[str]:
        return list(self.vocabulary["comparisons"]["attributes"])

    def direction_relations(self) -> pl.DataFrame:
        """attribute, direction, relation, positive: the first direction listed is the positive one."""
        rows = []
        for attribute, spec in self.raw["comparisons"]["directions"].items():
            for i, (direction, relation) in enumerate(spec["relations"].items()):
                rows.append({"attribute": attribute, "direction": direction, "relation": relation, "positive": i == 0})
        return pl.DataFrame(rows, schema={"attribute": pl.String, "direction": pl.String, "relation": pl.String,
                                          "positive": pl.Boolean})

    def class_values(self) -> pl.DataFrame:
        """(subject, attribute, value): what naming a therapy as one of a class says about it."""
        rows = [{"subject": name, **spec["class_value"]} for name, spec in self.subjects.items()
                if spec.get("class_value")]
        return pl.DataFrame(rows, schema={"subject": pl.String, "attribute": pl.String, "value": pl.String})

    def value_comparatives(self) -> pl.DataFrame:
        """attribute, direction, pattern: a comparative right before a value of the attribute ("more
        drowsiness"), or before the list the value ends ("less emotional blunting and sexual dysfunction"),
        as a regular expression over the folded text ending where the value starts."""
        rows = [{"attribute": attribute, "direction": direction,
                 "pattern": r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\s+" + _LIST_ITEMS_BEFORE + "$"}
                for attribute, spec in self.raw["comparisons"].get("value_comparatives", {}).items()
                for direction, words in spec.items()]
        return pl.DataFrame(rows, schema={"attribute": pl.String, "direction": pl.String, "pattern": pl.String})

    def value_directions(self) -> pl.DataFrame:
        """attribute, value, direction: attribute values that read as a direction in a comparison."""
        rows = [{"attribute": attribute, "value": value, "direction": direction}
                for attribute, spec in self.raw["comparisons"]["directions"].items()
                for value, direction in spec.get("values", {}).items()]
        return pl.DataFrame(rows, schema={"attribute": pl.String, "value": pl.String, "direction": pl.String})

    def negated_value_directions(self) -> pl.DataFrame:
        """attribute, direction: any negated value of the attribute reads as this direction ("does not
        cause weight gain" is a lower side on side effects)."""
        return self._any_value_directions("negated_values")

    def asserted_value_directions(self) -> pl.DataFrame:
        """attribute, direction: any asserted value of the attribute reads as this direction where a
        marker names the other side first ("Unlike psilocybin, MDMA carries a potential for misuse")."""
        return self._any_value_directions("asserted_values")

    def _any_value_directions(self, key: str) -> pl.DataFrame:
        rows = [{"attribute": attribute, "direction": spec[key]}
                for attribute, spec in self.raw["comparisons"]["directions"].items() if key in spec]
        return pl.DataFrame(rows, schema={"attribute": pl.String, "direction": pl.String})


def _entity_rows(raw: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for subject, spec in raw["subjects"].items():
        for alias in spec.get("aliases", []):
            rows += [{"phrase": f, "role": "subject", "subject": subject} for f in expand_phrase(alias)]
        # "a powerful psychedelic": a bare class noun names the class only in apposition to a therapy
        for noun in spec.get("class_nouns", []):
            rows += [{"phrase": f, "role": "class_noun", "subject": subject} for f in expand_phrase(noun)]
        for implied in spec.get("implies", []):
            for alias in implied["aliases"]:
                for form in expand_phrase(alias):
                    rows.append({"phrase": form, "role": "subject", "subject": subject})
                    # ("six ketamine infusions": a name that implies a value only with a context near it)
                    rows.append({"phrase": form, "role": "implied", "subject": subject,
                                 "attribute": implied["attribute"], "value": implied["value"],
                                 "needs": implied.get("needs")})
    rows += [{"phrase": f, "role": "subject", "subject": OUTSIDE_SUBJECT}
             for phrase in raw.get("outside_treatments", []) for f in expand_phrase(phrase)]
    # "serotonin syndrome", "a dummy pill": longer phrases that hide a name or a value and yield nothing
    rows += _phrase_rows(raw.get("not_mentions", []), "not_a_mention")
    for attribute, spec in raw["attributes"].items():
        for vid, vspec in spec["values"].items():
            needs = _needed_group(spec, vspec)
            excludes = _excluding_groups(spec, vspec)
            for cue in vspec.get("cues", []):
                for form in expand_phrase(cue):
                    rows.append({"phrase": form, "role": "value", "attribute": attribute,
                                 "value": vspec.get("value", vid), "needs": needs, "excludes": excludes})
    return rows + _numeric_span_rows(raw) + _counted_session_rows(raw)


def _counted_session_rows(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """"two guided ceremonies": count, optional describing word, session noun. A count that may be one
    ("one or two sessions") gives one session as well; a describing word that is a value itself
    ("two supervised sessions") keeps its reading, which the longer phrase would otherwise hide."""
    spec = raw.get("counted_sessions")
    if not spec:
        return []
    counted = {"attribute": spec["attribute"], "value": spec["value"]}
    readings = {modifier: [counted, reading] for modifier, reading in spec.get("modifier_values", {}).items()}
    rows = []
    for counts, count_value in ((spec["counts"], None), (spec.get("one_or_more_counts", []), "single_session")):
        for count in counts:
            for modifier in ["", *spec["modifiers"]]:
                own = readings.get(modifier, [counted])
                if count_value:
                    own = [*own, {"attribute": spec["attribute"], "value": count_value}]
                rows += [{"phrase": " ".join(str(w) for w in (count, modifier, noun) if w), "role": "value",
                          "needs": None, **reading} for noun in spec["nouns"] for reading in own]
    return rows


def _group_names(declared: str | list[str] | None) -> list[str]:
    """Context groups as written in the YAML: one name, "a,b", or a list."""
    if not declared:
        return []
    names = declared.split(",") if isinstance(declared, str) else declared
    return [name.strip() for name in names if name.strip()]


def _needed_group(attribute_spec: dict[str, Any], value_spec: dict[str, Any]) -> str | None:
    """The context group that must be near a value for it to be read; a value's own `needs` (even
    null) overrides its attribute's."""
    return value_spec["needs"] if "needs" in value_spec else attribute_spec.get("needs")


def _excluding_groups(attribute_spec: dict[str, Any], value_spec: dict[str, Any], *more: str) -> str | None:
    """The context groups that rule a value reading out: the value's own, its attribute's and `more`,
    as "a,b" (one column in the lexicon frame)."""
    groups = [*_group_names(value_spec.get("excludes")), *_group_names(attribute_spec.get("excludes")), *more]
    return ",".join(dict.fromkeys(groups)) or None


def _numeric_span_rows(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """"14 days", "14-day": the value a number of units amounts to, for each time attribute."""
    spec = raw.get("numeric_time_spans")
    if not spec:
        return []
    rows = []
    for attribute in spec["attributes"]:
        attr_spec = raw["attributes"][attribute]
        declared = {v.get("value", k) for k, v in attr_spec["values"].items()}
        needs = _needed_group(attr_spec, {})
        numbers = [(str(n), n) for n in range(1, spec["numbers"] + 1)]
        numbers += [(word, n) for word, n in spec.get("number_words", {}).items()]
        for unit, rule in spec["units"].items():
            for spelled, n in numbers:
                value = rule["below"] if n < rule["up_to"] else rule["from"]
                if value not in declared:
                    continue
                plural = unit if n == 1 else unit + "s"
                # "14 days", "14-day", "six weeks"; a time point "week 12" spans as much
                forms = {f"{spelled} {plural}", f"{spelled}-{unit}", f"{spelled} {unit}"}
                if spelled.isdigit():
                    forms.add(f"{unit} {spelled}")
                for phrase in sorted(forms):
                    rows.append({"phrase": phrase, "role": "value", "attribute": attribute, "value": value,
                                 "needs": needs,
                                 "excludes": _excluding_groups(attr_spec, {}, *spec.get("excludes", []))})
    return rows


def _phrase_rows(phrases: list[str], role: str, **extra: Any) -> list[dict[str, Any]]:
    rows = []
    for phrase in phrases:
        forms = [phrase.lower()] if not re.search(r"[a-z0-9]", phrase.lower()) else expand_phrase(phrase)
        rows.extend({"phrase": f, "role": role, **extra} for f in forms)
    return rows


def _context_rows(raw: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for name, spec in raw["contexts"].items()
            for row in _phrase_rows(spec["phrases"], "context", group=name, window=spec.get("window", 60))]


def _cue_rows(raw: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(phrases: list[str], role: str, **extra: Any) -> None:
        rows.extend(_phrase_rows(phrases, role, **extra))

    mods = raw["modifiers"]
    add(mods["negation"]["phrases"], "negation", window=mods["negation"]["window"])
    # cues that deny only what follows them closely ("plans to file for FDA approval after a trial reads out")
    near = mods["negation"].get("near") or {}
    add(near.get("phrases", []), "negation", window=near.get("window", mods["negation"]["window"]))
    add(mods["pseudo_negation"]["phrases"], "pseudo")
    add(mods["hedge"]["phrases"], "hedge", window=mods["hedge"]["window"])
    add(mods["terminator"]["strong"], "terminator", group="strong")
    add(mods["terminator"]["weak"], "terminator", group="weak")
    add(mods["example"]["phrases"], "example")
    add(mods["complement"]["phrases"], "complement")
    attribution = raw["attribution"]
    add(attribution["population"]["phrases"], "population", window=attribution["population"]["window"])
    add(attribution.get("helped_populations", []), "pseudo")
    add(attribution.get("study_frames", []), "study_frame")
    add(attribution.get("failures", []), "failure")
    add(attribution["barriers"], "barrier")
    add(attribution["subordinators"], "subordinator", group="phrase")
    add(attribution.get("clause_subordinators", []), "subordinator", group="clause")
    add(attribution["anaphors"], "anaphor")
    add(attribution.get("topic_pronouns", []), "topic_pronoun")
    add(attribution.get("trial_arm_markers", []), "trial_arm_marker")
    add(attribution["plural_anaphors"], "plural_anaphor")
    add(attribution.get("pseudo_anaphors", []), "pseudo")
    for phrase, count in attribution.get("numeral_anaphors", {}).items():
        add([phrase], "plural_anaphor", value=str(count))
    for kind, phrases in raw["comparisons"]["markers"].items():
        add(phrases, "marker", group=kind)
    add(raw["comparisons"].get("pseudo_markers", []), "pseudo")
    add(raw["comparisons"].get("object_anaphors", []), "object_anaphor", group="last_sentence")
    add(raw["comparisons"].get("document_object_anaphors", []), "object_anaphor", group="document")
    add(raw["comparisons"].get("likeness", {}).get("phrases", []), "likeness")
    comparative_words = set(raw["comparisons"].get("comparative_words", []))
    not_alone = set(raw["comparisons"].get("comparative_not_alone", []))

    def compares(phrase: str) -> bool:
        words = re.findall(r"[a-z]+", phrase.lower())
        return bool(comparative_words & set(words)) and " ".join(words) not in not_alone

    for attribute, spec in raw["comparisons"]["directions"].items():
        for direction, relation in spec["relations"].items():
            add(spec[direction], "direction", attribute=attribute, value=relation, group=direction)
            add([p for p in spec[direction] if compares(p)], "marker", group="comparative")
    return rows


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=LEXICON_SCHEMA).unique(maintain_order=True)


def _check(raw: dict[str, Any], vocabulary: dict[str, Any]) -> None:
    """Every vocabulary id must be present; every id used must be declared."""
    missing = set(vocabulary["subjects"]) - set(raw["subjects"])
    if missing:
        raise OntologyError(f"ontology lacks vocabulary subjects: {sorted(missing)}")
    for subject, spec in raw["subjects"].items():
        parent = spec.get("parent")
        if parent and parent not in raw["subjects"]:
            raise OntologyError(f"subject {subject!r} has unknown parent {parent!r}")
    for attribute, spec in vocabulary["attributes"].items():
        if attribute not in raw["attributes"]:
            raise OntologyError(f"ontology lacks vocabulary attribute {attribute!r}")
        declared = {v.get("value", k) for k, v in raw["attributes"][attribute]["values"].items()}
        lacking = set(spec["values"]) - declared
        if lacking:
            raise OntologyError(f"attribute {attribute!r} lacks vocabulary values {sorted(lacking)}")
    for attribute, spec in raw["attributes"].items():
        for vid, vspec in spec["values"].items():
            needs = _needed_group(spec, vspec)
            if needs is not None and not isinstance(needs, str):
                raise OntologyError(f"{attribute}.{vid}: `needs` names one context group, not {needs!r}")
            for group in [needs, *_group_names(vspec.get("excludes")), *_group_names(spec.get("excludes"))]:
                if group and group not in raw["contexts"]:
                    raise OntologyError(f"{attribute}.{vid}: unknown context group {group!r}")
    for group, spec in raw["contexts"].items():
        if spec.get("side", "before") != "before":
            raise OntologyError(f"context {group}: `side` can only be before, not {spec['side']!r}")
    for subject, spec in raw["subjects"].items():
        for implied in spec.get("implies", []):
            if implied["attribute"] not in raw["attributes"]:
                raise OntologyError(f"{subject}: implies unknown attribute {implied['attribute']!r}")
            if implied.get("needs") and implied["needs"] not in raw["contexts"]:
                raise OntologyError(f"{subject}: implies with unknown context group {implied['needs']!r}")
        class_value = spec.get("class_value")
        if class_value and not _in_vocabulary(vocabulary, class_value):
            raise OntologyError(f"{subject}: class_value {class_value} is not a vocabulary attribute value")
    for group in (raw.get("numeric_time_spans") or {}).get("excludes", []):
        if group not in raw["contexts"]:
            raise OntologyError(f"numeric_time_spans: unknown context group {group!r}")
    for foil in raw["attribution"].get("foils", []):
        if foil not in raw["subjects"]:
            raise OntologyError(f"attribution.foils: unknown subject {foil!r}")
    counted = raw.get("counted_sessions")
    if counted and not _in_vocabulary(vocabulary, counted):
        raise OntologyError(f"counted_sessions: {counted['attribute']}.{counted['value']} is not in the vocabulary")
    for modifier, reading in ((counted or {}).get("modifier_values") or {}).items():
        if not _in_vocabulary(vocabulary, reading):
            raise OntologyError(f"counted_sessions.modifier_values.{modifier}: {reading.get('attribute')}."
                                f"{reading.get('value')} is not in the vocabulary")
        if reading.get("excludes") and reading["excludes"] not in raw["contexts"]:
            raise OntologyError(f"counted_sessions.modifier_values.{modifier}: unknown context group {reading['excludes']!r}")
    relations = set(vocabulary["comparisons"]["relations"])
    for attribute, spec in raw["comparisons"]["directions"].items():
        for relation in spec["relations"].values():
            if relation not in relations:
                raise OntologyError(f"comparison direction {attribute}: unknown relation {relation!r}")
        for key in ("negated_values", "asserted_values"):
            if key in spec and spec[key] not in spec["relations"]:
                raise OntologyError(f"comparison direction {attribute}.{key}: unknown direction {spec[key]!r}")


def _in_vocabulary(vocabulary: dict[str, Any], spec: dict[str, Any]) -> bool:
    """Whether spec's (attribute, value) is a value the vocabulary declares for that attribute."""
    return spec.get("value") in vocabulary["attributes"].get(spec.get("attribute"), {}).get("values", [])


def load_ontology(path: Path = ONTOLOGY_PATH, vocabulary_path: Path = VOCABULARY_PATH) -> Ontology:
    """Read, check and compile an ontology file."""
    text = path.read_bytes()
    raw = yaml.safe_load(text)
    vocabulary = yaml.safe_load(vocabulary_path.read_bytes())
    _check(raw, vocabulary)
    return Ontology(
        raw=raw,
        vocabulary=vocabulary,
        sha256=hashlib.sha256(text).hexdigest(),
        entities=_frame(_entity_rows(raw)),
        contexts=_frame(_context_rows(raw)),
        cues=_frame(_cue_rows(raw)),
    )


@lru_cache(maxsize=1)
def default_ontology() -> Ontology:
    """The bundled ontology, compiled once per process."""
    return load_ontology()
