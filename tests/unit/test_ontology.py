import pytest
import yaml

from transforms.ontology import ONTOLOGY_PATH, OntologyError, VOCABULARY_PATH, default_ontology, expand_phrase, load_ontology


def test_expansion_of_optional_suffix_and_hyphens():
    assert expand_phrase("side effect(s)") == ["side effect", "side effects"]
    assert set(expand_phrase("well-tolerated")) == {"well-tolerated", "well tolerated"}


def test_every_vocabulary_id_is_in_the_ontology():
    ontology = default_ontology()
    vocabulary = yaml.safe_load(VOCABULARY_PATH.read_text())
    assert set(vocabulary["subjects"]) <= set(ontology.subjects)
    allowed = ontology.allowed_values()
    for attribute, spec in vocabulary["attributes"].items():
        assert set(spec["values"]) <= set(allowed[attribute])


def test_lexicon_phrases_are_folded_and_non_empty():
    ontology = default_ontology()
    for frame in (ontology.entities, ontology.contexts, ontology.cues):
        phrases = frame["phrase"].to_list()
        assert all(p and p == p.lower() for p in phrases)
        assert all(p.strip() == p for p in phrases if p.strip(" -()").isalnum())


def _load_edited(tmp_path, raw: dict):
    """Load an edited copy of the ontology (the checks run on loading)."""
    path = tmp_path / "ontology.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_ontology(path, VOCABULARY_PATH)


def test_unknown_context_group_is_rejected(tmp_path):
    raw = yaml.safe_load(ONTOLOGY_PATH.read_text())
    raw["attributes"]["onset"]["needs"] = "no_such_group"
    with pytest.raises(OntologyError, match="no_such_group"):
        _load_edited(tmp_path, raw)


@pytest.mark.parametrize("where", ["value_list", "numeric_spans"])
def test_unknown_context_group_in_a_list_is_rejected(tmp_path, where):
    raw = yaml.safe_load(ONTOLOGY_PATH.read_text())
    if where == "value_list":
        raw["attributes"]["onset"]["excludes"] = ["not_onset", "no_such_group"]
    else:
        raw["numeric_time_spans"]["excludes"] = ["no_such_group"]
    with pytest.raises(OntologyError, match="no_such_group"):
        _load_edited(tmp_path, raw)


def test_needs_names_one_context_group(tmp_path):
    raw = yaml.safe_load(ONTOLOGY_PATH.read_text())
    raw["attributes"]["duration"]["needs"] = ["duration_time", "onset_time"]
    with pytest.raises(OntologyError, match="names one context group"):
        _load_edited(tmp_path, raw)


def test_a_foil_that_is_no_subject_is_rejected_and_foils_take_the_subjects_under_them(tmp_path):
    assert set(default_ontology().foil_subjects()) == {"traditional_antidepressants", "ssri", "snri"}
    raw = yaml.safe_load(ONTOLOGY_PATH.read_text())
    raw["attribution"]["foils"] = ["placebo"]
    with pytest.raises(OntologyError, match="placebo"):
        _load_edited(tmp_path, raw)


def test_a_context_side_other_than_before_is_rejected(tmp_path):
    raw = yaml.safe_load(ONTOLOGY_PATH.read_text())
    raw["contexts"]["session_count"]["side"] = "after"
    with pytest.raises(OntologyError, match="session_count"):
        _load_edited(tmp_path, raw)
