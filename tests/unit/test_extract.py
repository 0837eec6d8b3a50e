"""Extraction behaviour on small texts written for the cases the seeds lack."""

import polars as pl
import pytest

from tests.conftest import docs_frame
from tests.support.fragile import extractor_failing_on
from transforms.extract import extract


def _claims(text: str) -> set[tuple]:
    claims = extract(docs_frame(text)).claims
    return {(r["subject"], r["attribute"], r["value"], r["negated"], r["hedged"]) for r in claims.iter_rows(named=True)}


def _facts(text: str) -> set[tuple]:
    return {c[:3] for c in _claims(text) if not c[3]}


def test_every_evidence_equals_its_offsets():
    text = ("Esketamine (Spravato) is an FDA-approved nasal spray.\n\nPsilocybin may cause nausea, headaches "
            "and anxiety. It is not addictive. Unlike SSRIs, which take 4–6 weeks, ketamine works within hours.")
    extraction = extract(docs_frame(text))
    for frame in (extraction.claims, extraction.comparisons):
        assert frame.height > 0
        for row in frame.iter_rows(named=True):
            assert text[row["char_start"]:row["char_end"]] == row["evidence"]


def test_brand_names_routes_and_legal_status():
    facts = _facts("Esketamine (Spravato) is an FDA-approved nasal spray for treatment-resistant depression.")
    assert {("esketamine", "legal_status", "fda_approved"), ("esketamine", "route", "intranasal"),
            ("esketamine", "indication", "treatment_resistant_depression")} <= facts


def test_lists_and_hedging():
    claims = _claims("Psilocybin may cause nausea, headaches, and paranoia.")
    assert {("psilocybin", "side_effect", v, False, True) for v in ("nausea", "headache", "paranoia")} <= claims


def test_negation_scope_stops_at_terminator():
    claims = _claims("MDMA is not addictive, but it can cause anxiety and dizziness.")
    assert ("mdma", "risk", "abuse_potential", True, False) in claims
    assert ("mdma", "side_effect", "dizziness", False, False) in claims


def test_carry_over_to_pronoun_sentences():
    facts = _facts("Ketamine was first used as an anesthetic. It acts on NMDA receptors.")
    assert ("ketamine", "mechanism", "nmda_receptor_antagonist") in facts


def test_coordinated_subjects_share_the_claim():
    facts = _facts("Ketamine and psilocybin are studied for PTSD.")
    assert {("ketamine", "indication", "ptsd"), ("psilocybin", "indication", "ptsd")} <= facts


def test_examples_yield_to_their_head():
    facts = _facts("Psychedelics such as LSD and psilocybin are Schedule I substances.")
    assert ("psychedelics", "legal_status", "schedule_i") in facts
    assert ("lsd", "legal_status", "schedule_i") not in facts


def test_time_units_need_an_onset_or_duration_cue():
    facts = _facts("SSRIs take weeks to work. Ketamine relief can last for up to two weeks. "
                   "Ketamine sessions are booked weeks ahead.")
    assert ("ssri", "onset", "weeks") in facts
    assert ("ketamine", "duration", "weeks") in facts
    assert ("ketamine", "onset", "weeks") not in facts


def test_questions_make_no_claims():
    assert _facts("Does ketamine cause dissociation?") == set()


def test_comparison_unlike_and_than():
    comparisons = extract(docs_frame(
        "Unlike SSRIs, which take several weeks, ketamine can work within hours. "
        "Psilocybin carries a higher risk of psychological reactions than esketamine.")).comparisons
    found = set(comparisons.select("subject", "attribute", "relation", "object").iter_rows())
    assert ("ketamine", "onset", "faster_than", "ssri") in found
    assert ("psilocybin", "risk", "higher_than", "esketamine") in found


def test_claim_ids_are_stable_and_unique():
    text = "Ketamine is an anesthetic. Ketamine is an anesthetic used in surgery."
    first, second = extract(docs_frame(text)).claims, extract(docs_frame(text)).claims
    assert first["claim_id"].to_list() == second["claim_id"].to_list()
    assert first["claim_id"].is_unique().all()
    assert first.filter(pl.col("value") == "dissociative_anesthetic")["n_mentions"].item() == 2


def test_numbered_time_spans_read_as_the_unit_they_amount_to():
    facts = _facts("Ketamine relief can last up to 14 days. SSRIs take 4–6 weeks to work. "
                   "Esketamine works in 40 minutes.")
    assert ("ketamine", "duration", "weeks") in facts
    assert ("ketamine", "duration", "days") not in facts
    assert ("ssri", "onset", "weeks") in facts
    assert ("esketamine", "onset", "minutes") in facts


def test_a_therapy_named_in_brackets_does_not_become_the_topic():
    text = ("Ketamine can be given in three ways.\n\n- As an infusion into a vein\n- As a nasal spray (esketamine, "
            "brand name Spravato)\n\nMany people notice an improvement within 24 hours.")
    claims = extract(docs_frame(text)).claims
    found = set(claims.select("subject", "attribute", "value").iter_rows())
    assert ("esketamine", "route", "intranasal") in found          # the aside still names its own sentence's subject
    assert ("ketamine", "onset", "hours") in found and ("esketamine", "onset", "hours") not in found


def test_both_and_neither_point_back_to_every_therapy_of_the_last_naming_sentence():
    text = ("Psilocybin activates serotonin receptors, while ketamine blocks NMDA receptors. "
            "Both appear to promote neuroplasticity.")
    claims = extract(docs_frame(text)).claims.filter(pl.col("value") == "neuroplasticity")
    assert sorted(claims["subject"]) == ["ketamine", "psilocybin"] and claims["hedged"].all()
    single = extract(docs_frame("Psilocybin activates serotonin receptors. It appears to promote neuroplasticity."))
    assert single.claims.filter(pl.col("value") == "neuroplasticity")["subject"].to_list() == ["psilocybin"]


def test_a_therapy_taken_together_with_another_is_not_the_topic():
    text = "Spravato is taken together with an oral antidepressant. You may feel dizzy after a dose."
    claims = extract(docs_frame(text)).claims
    facts = set(claims.select("subject", "attribute", "value").iter_rows())
    assert ("esketamine", "side_effect", "dizziness") in facts
    assert ("traditional_antidepressants", "side_effect", "dizziness") not in facts
    other = extract(docs_frame("Other than that, ketamine is given as an infusion.")).claims
    assert ("ketamine", "route", "intravenous") in set(other.select("subject", "attribute", "value").iter_rows())


def test_a_class_named_in_apposition_describes_the_therapy_and_is_not_the_topic():
    facts = _facts("Psilocybin is a naturally occurring psychedelic compound found in mushrooms. "
                   "It may ease depression within days.")
    assert ("psilocybin", "drug_class", "serotonergic_psychedelic") in facts
    assert ("psilocybin", "onset", "days") in facts and not any(f[0] == "psychedelics" for f in facts)
    bare = _facts("DMT, a powerful short-acting psychedelic, is being tested in a trial for depression.")
    assert {("dmt", "drug_class", "serotonergic_psychedelic"), ("dmt", "indication", "depression")} <= bare
    # not its class: no apposition, and a bare class noun elsewhere names nothing
    assert not any(f[1] == "drug_class" for f in _facts("Ketamine is a psychedelic, and psilocybin is too."))
    assert ("ketamine", "side_effect", "nausea") in _facts("Ketamine can produce a psychedelic experience and nausea.")


def test_spelled_out_numbers_and_time_points_are_time_spans():
    facts = _facts("Psilocybin relief can last for as long as twelve weeks. "
                   "In the trial, LSD improved anxiety by day 2, and the benefit was sustained through week 12.")
    assert ("psilocybin", "duration", "months") in facts
    assert ("lsd", "onset", "days") in facts and ("lsd", "duration", "months") in facts


def test_a_question_that_points_back_asks_about_the_page_topic():
    text = ("Ketamine for depression: questions and answers\n\nHow is it given?\n"
            "Most patients receive ketamine as an infusion. Esketamine is a nasal spray.\n\n"
            "How quickly does it work?\nMany patients feel better within 24 hours.")
    facts = _facts(text)
    assert ("ketamine", "onset", "hours") in facts and ("esketamine", "onset", "hours") not in facts


def test_conditions_that_rule_a_therapy_out_are_not_its_indications():
    facts = _facts("Ketamine is not recommended for people with uncontrolled high blood pressure, "
                   "a history of psychosis, or active substance abuse.")
    assert ("ketamine", "risk", "psychosis") in facts
    assert not any(f[1] == "indication" for f in facts)
    assert ("ketamine", "indication", "substance_use_disorder") in _facts(
        "Ketamine is being studied for people with substance use disorders.")


def test_counted_sessions_and_side_effects_named_beside_others():
    facts = _facts("Psilocybin was given in two guided ceremonies. The first brought hours of intense anxiety "
                   "and some nausea.")
    assert ("psilocybin", "regimen", "multiple_sessions") in facts
    assert ("psilocybin", "side_effect", "anxiety") in facts and ("psilocybin", "indication", "anxiety") not in facts
    # a therapy's name inside the count stays a subject
    assert ("ketamine", "route", "intravenous") in _facts("I did a course of ketamine infusions at a clinic.")


def test_a_value_right_before_a_therapy_modifies_it():
    facts = _facts("Patients received two doses of psilocybin plus six weeks of daily oral escitalopram.")
    assert {("ssri", "route", "oral"), ("ssri", "regimen", "daily")} <= facts
    assert ("psilocybin", "route", "oral") not in facts
    # a function word between: the value is not a modifier of the therapy after it
    assert ("ketamine", "side_effect", "nausea") in _facts("Ketamine can cause nausea and psilocybin can too.")


def test_a_head_across_a_contrast_gives_way_to_the_head_of_the_values_own_clause():
    facts = _facts("Headache was more common after psilocybin, whereas emotional blunting was reported "
                   "more often with escitalopram.")
    assert ("ssri", "side_effect", "emotional_blunting") in facts
    assert ("psilocybin", "side_effect", "emotional_blunting") not in facts
    assert ("ketamine", "side_effect", "nausea") in _facts("Ketamine works fast; it can cause nausea.")


def test_low_negates_a_risk_but_not_a_dose():
    claims = _claims("Psilocybin has a low toxicity and a low potential for abuse.")
    assert ("psilocybin", "risk", "abuse_potential", True, False) in claims
    assert ("ketamine", "side_effect", "dissociation") in _facts("Low-dose ketamine can cause dissociation.")


def test_apposition_across_a_bracketed_pronunciation():
    assert ("psilocybin", "drug_class", "serotonergic_psychedelic") in _facts(
        "Psilocybin (/ˌsaɪləˈsaɪbɪn/) is a naturally occurring psychedelic prodrug compound.")


def test_a_releaser_is_not_a_reuptake_inhibitor():
    facts = _facts("MDMA increases the release of serotonin, dopamine and norepinephrine in the brain.")
    assert ("mdma", "mechanism", "serotonin_modulation") in facts
    assert not {("mdma", "mechanism", "serotonin_reuptake_inhibition"),
                ("mdma", "mechanism", "norepinephrine_reuptake_inhibition")} & facts
    assert ("ssri", "mechanism", "serotonin_reuptake_inhibition") in _facts("SSRIs increase serotonin levels.")


def test_a_warning_about_people_with_a_condition_stays_with_the_topic():
    facts = _facts("Psilocybin can ease depression. Critics say that people with a history of psychosis may be harmed.")
    assert ("psilocybin", "risk", "psychosis") in facts
    assert ("psilocybin", "indication", "ptsd") not in _facts(
        "Psilocybin is being studied. Many people with PTSD also have depression.")


def test_the_therapy_after_than_is_measured_against_not_described():
    extraction = extract(docs_frame("Psilocybin is slower to act than ketamine, but its effects often appear "
                                    "within a day or two of a single session."))
    facts = {(r["subject"], r["attribute"], r["value"]) for r in extraction.claims.iter_rows(named=True)}
    assert ("psilocybin", "onset", "days") in facts and ("ketamine", "onset", "days") not in facts
    relations = set(extraction.comparisons.select("subject", "attribute", "relation", "object").iter_rows())
    assert relations == {("psilocybin", "onset", "slower_than", "ketamine")}


def test_while_mid_sentence_opens_a_main_clause_with_its_own_subject():
    facts = _facts("Classic psychedelics act on 5-HT2A receptors, while MDMA works differently, prompting the "
                   "brain to release serotonin.")
    assert ("mdma", "mechanism", "serotonin_modulation") in facts
    assert ("psychedelics", "mechanism", "serotonin_modulation") not in facts
    opening = _facts("While SSRIs take weeks to work, ketamine works within hours. It can cause nausea.")
    assert ("ketamine", "side_effect", "nausea") in opening and ("ssri", "side_effect", "nausea") not in opening


def test_ongoing_research_is_a_predicate_not_any_ongoing_thing():
    assert ("ketamine", "evidence_level", "ongoing_research") in _facts("Studies of ketamine therapy are ongoing.")
    assert not any(f[1] == "evidence_level" for f in _facts("After ketamine, patients still need ongoing treatment."))


def test_unlike_x_comma_y_sets_x_against_y_not_beside_it():
    extraction = extract(docs_frame("Unlike SSRIs, psilocybin works within hours."))
    assert extraction.claims.select("subject", "attribute", "value").rows() == [("psilocybin", "onset", "hours")]
    assert extraction.comparisons.select("subject", "attribute", "relation", "object").rows() == [
        ("psilocybin", "onset", "faster_than", "ssri")]
    assert {("ketamine", "side_effect", "nausea"), ("mdma", "side_effect", "nausea")} <= _facts(
        "Ketamine, psilocybin and MDMA can cause nausea.")       # a list is still a list


def test_rarely_negates_and_sets_a_side_lower():
    extraction = extract(docs_frame("Compared with SSRIs, psilocybin rarely causes sexual side effects."))
    sexual = extraction.claims.filter(pl.col("value") == "sexual_dysfunction")
    assert sexual.select("subject", "negated").sort("subject").rows() == [("psilocybin", True), ("ssri", False)]
    assert extraction.comparisons.select("subject", "relation", "object").rows() == [("psilocybin", "lower_than", "ssri")]


def test_contrast_phrases_and_fda_approval_wordings():
    assert ("ketamine", "onset", "faster_than", "ssri") in set(extract(docs_frame(
        "In contrast to SSRIs, ketamine acts within hours.")).comparisons.select(
        "subject", "attribute", "relation", "object").iter_rows())
    assert ("ssri", "onset", "hours") not in _facts("In contrast to SSRIs, ketamine acts within hours.")
    assert ("esketamine", "legal_status", "fda_approved") in _facts("The FDA has approved esketamine for depression.")


def test_neither_nor_coordinates_and_negates_both():
    claims = _claims("Neither psilocybin nor MDMA is approved by the FDA.")
    assert {("psilocybin", "legal_status", "fda_approved", True, False),
            ("mdma", "legal_status", "fda_approved", True, False)} <= claims


def test_an_aside_in_the_middle_and_negation_over_a_that_clause():
    extraction = extract(docs_frame("Ketamine, unlike SSRIs, works within hours."))
    assert extraction.claims.select("subject", "attribute", "value").rows() == [("ketamine", "onset", "hours")]
    assert ("psilocybin", "risk", "abuse_potential", True, False) in _claims(
        "There is no evidence that psilocybin is addictive.")


def test_fact_sheet_labels_give_the_attribute():
    facts = _facts("Ketamine at a glance\n\nOnset: within hours\nDuration: about a week\nRoute: IV infusion")
    assert {("ketamine", "onset", "hours"), ("ketamine", "duration", "weeks"),
            ("ketamine", "route", "intravenous")} <= facts


def test_overlapping_names_in_a_heading_do_not_break_extraction():
    # "IV ketamine" and "ketamine infusion therapy" overlap: the gap between them has negative length
    assert ("ketamine", "route", "intravenous") in _facts("IV Ketamine Infusion Therapy\n\nKetamine works fast.")


def test_a_document_the_extractor_fails_on_is_set_aside_and_the_rest_extracted(monkeypatch):
    import transforms.extract as extraction_module

    real = extractor_failing_on(monkeypatch, "POISON", ValueError("cannot read this one"))
    texts = ["Ketamine is given by IV infusion.", "POISON psilocybin", "Psilocybin is a Schedule I drug.",
             "POISON again", "Lexapro causes nausea."]
    extraction, failed = extraction_module.extract_isolating(docs_frame(*texts))
    assert failed["doc_id"].to_list() == ["d1", "d3"]
    assert failed["detail"].to_list() == ["ValueError: cannot read this one"] * 2
    assert set(extraction.claims["doc_id"]) == {"d0", "d2", "d4"}
    assert extraction.claims.equals(real(docs_frame(*texts).filter(~pl.col("text").str.contains("POISON"))).claims)


def test_an_extractor_failing_on_every_document_stops_at_once_instead_of_isolating_each(monkeypatch):
    import transforms.extract as extraction_module

    calls = []
    monkeypatch.setattr(extraction_module, "extract", lambda documents, ontology=None: calls.append(
        documents.height) or (_ for _ in ()).throw(KeyError("no such column")))
    with pytest.raises(extraction_module.ExtractorBroken, match="each of 8 documents.*KeyError"):
        extraction_module.extract_isolating(docs_frame(*["Ketamine works fast."] * 40))
    assert calls == [40] + [1] * extraction_module.PROBES


def test_a_probe_that_passes_lets_the_batch_be_isolated_as_usual(monkeypatch):
    import transforms.extract as extraction_module

    extractor_failing_on(monkeypatch, "POISON", ValueError("bad rule"))
    texts = ["POISON ketamine"] * 8 + ["Psilocybin is a Schedule I drug."] + ["POISON ketamine"] * 7
    extraction, failed = extraction_module.extract_isolating(docs_frame(*texts))
    assert failed.height == 15 and set(extraction.claims["doc_id"]) == {"d8"}


def test_schedules_and_measured_nouns_are_not_onsets_or_durations():
    facts = _facts("MDMA was given in three eight-hour sessions. Ketamine boosters are given every few weeks.")
    assert not {f for f in facts if f[1] in ("onset", "duration")}
    assert ("mdma", "regimen", "multiple_sessions") in facts
    assert ("psilocybin", "onset", "weeks") not in _facts("In a 12-week trial, psilocybin was taken twice.")
    assert ("psilocybin", "duration", "weeks") in _facts("The benefits of psilocybin lasted for six weeks.")


def test_supervision_by_therapists_is_support_not_medical_supervision():
    assert _facts("MDMA was given in sessions supervised by two therapists.") == {
        ("mdma", "setting", "psychotherapy_support")}
    assert ("ketamine", "setting", "medical_supervision") in _facts("Ketamine is given under medical supervision.")


def test_phrases_that_hide_a_name_or_a_marker():
    assert not _facts("Ayahuasca can interact with SSRIs and cause serotonin syndrome.") & {
        ("ssri", "mechanism", "serotonin_modulation")}
    extraction = extract(docs_frame("Ketamine works within hours. Most people take an SSRI every day for "
                                    "four to six weeks before they notice a difference."))
    assert extraction.comparisons.is_empty()
    assert ("ssri", "mechanism", "serotonin_reuptake_inhibition") in _facts("SSRIs block the reabsorption of serotonin.")
    assert ("dmt", "drug_class", "serotonergic_psychedelic") in _facts(
        "The leaves contain DMT (N,N-dimethyltryptamine), a powerful hallucinogen.")


def test_negation_ends_at_a_new_noun_phrase_after_and():
    claims = _claims("MDMA is a Schedule I substance with no accepted medical use and a high potential for abuse.")
    assert ("mdma", "risk", "abuse_potential", False, False) in claims


def test_research_said_to_be_early_and_meetings_before_and_after():
    assert ("psilocybin", "evidence_level", "early_research") in _facts("Critics say the research on psilocybin is still early.")
    assert ("psilocybin", "setting", "integration_sessions") in _facts(
        "Each psilocybin session includes a preparation meeting and an integration meeting afterward.")


def test_a_negated_harm_is_the_lower_side_only_against_a_named_object():
    extraction = extract(docs_frame("Unlike SSRIs, ketamine does not usually cause weight gain or sexual side effects."))
    assert extraction.comparisons.select("subject", "attribute", "relation", "object").rows() == [
        ("ketamine", "side_effect", "lower_than", "ssri")]
    assert extract(docs_frame("Ketamine can be misused. SSRIs are not considered addictive, but stopping them "
                              "suddenly can cause symptoms.")).comparisons.is_empty()


def test_conditions_listed_after_a_lead_in_belong_to_its_therapy():
    facts = _facts("Ketamine infusions may help patients with:\n• Treatment-resistant depression\n"
                   "• Chronic pain conditions such as fibromyalgia\n• Postpartum depression")
    assert {("ketamine", "indication", v) for v in ("treatment_resistant_depression", "pain", "depression")} <= facts
    assert not {f for f in _facts("Ketamine is fast.\nTreatment-resistant depression is common.") if f[1] == "indication"}


def test_rating_scales_and_interactions_are_not_claims_about_the_therapy():
    assert _facts("Psilocybin scores fell on the Montgomery-Asberg Depression Rating Scale.") == set()
    facts = _facts("Ayahuasca is a brew. It can interact dangerously with antidepressants. It can raise blood pressure.")
    assert ("dmt", "side_effect", "increased_blood_pressure") in facts
    assert ("traditional_antidepressants", "side_effect", "increased_blood_pressure") not in facts


def test_a_paragraph_that_names_no_therapy_is_about_the_documents_topic():
    text = ("My six ketamine infusions\n\nKetamine infusions helped me a lot.\n"
            "For context I tried Prozac and Zoloft for years.\nThey made me gain weight.\n"
            "The infusions themselves are weird. Everything gets floaty.")
    facts = _facts(text)
    assert {("ketamine", "side_effect", "dissociation"), ("ssri", "side_effect", "weight_gain")} <= facts
    assert ("ssri", "side_effect", "dissociation") not in facts     # a pronoun still points back, a bare opening does not
    # a therapy named only as an example is not the document's topic
    facts = _facts("Treatments such as antidepressants help many people.\nKetamine is different.\n"
                   "Its users see relief fast.\nPatients stay in the clinic.\nThe sessions can feel dreamlike.")
    assert ("ketamine", "side_effect", "dissociation") in facts


def test_verbs_and_idioms_of_common_claims():
    assert ("mdma", "legal_status", "prescription") in _facts("Psychiatrists can now prescribe MDMA for PTSD.")
    assert ("traditional_antidepressants", "route", "oral") in _facts("Esketamine must be combined with an oral antidepressant.")
    assert ("ketamine", "onset", "weeks") in _facts("Ketamine worked in a week.")
    assert ("ssri", "side_effect", "emotional_blunting") in _facts("Lexapro made me feel like a zombie.")
    claims = _claims("Ketamine and psilocybin are promising. Neither drug has been approved by the FDA.")
    assert ("psilocybin", "legal_status", "fda_approved", True, False) in claims
    assert ("lsd", "side_effect", "hallucinations", True, True) in _claims("Small doses of LSD are unlikely to cause hallucinations.")


def test_a_pronoun_before_the_value_is_its_subject_not_a_therapy_after_it():
    facts = _facts("Esketamine is the S enantiomer of ketamine. It is twice as potent an anesthetic as racemic ketamine.")
    assert ("esketamine", "drug_class", "dissociative_anesthetic") in facts
    assert ("ketamine", "drug_class", "dissociative_anesthetic") not in facts


def test_plural_pronouns_and_efficacy_in_comparisons():
    rows = set(extract(docs_frame("Ketamine and esketamine are related drugs. Both can ease depression much faster "
                                  "than standard antidepressants.")).comparisons.select(
        "subject", "attribute", "relation", "object").iter_rows())
    assert rows == {("ketamine", "onset", "faster_than", "traditional_antidepressants"),
                    ("esketamine", "onset", "faster_than", "traditional_antidepressants")}
    assert extract(docs_frame("Psilocybin was more effective than escitalopram.")).comparisons.select(
        "subject", "attribute", "relation", "object").rows() == [("psilocybin", "efficacy", "higher_than", "ssri")]


def test_a_class_right_before_its_members_only_labels_them():
    assert _facts("Current PTSD treatments include the antidepressants sertraline and paroxetine.") == {
        ("ssri", "indication", "ptsd")}
    assert _facts("The antidepressant escitalopram causes nausea.") == {("ssri", "side_effect", "nausea")}


def test_not_yet_negates_and_a_new_verb_after_and_ends_the_scope():
    claims = _claims("But MDMA is not yet approved by the FDA and remains a Schedule I drug.")
    assert {("mdma", "legal_status", "fda_approved", True, False),
            ("mdma", "legal_status", "schedule_i", False, False)} <= claims


def test_conditions_never_premodify_a_therapy():
    assert ("esketamine", "indication", "treatment_resistant_depression") in _facts(
        "Started Spravato in January after failing five antidepressants.")
    assert ("ssri", "route", "oral") in _facts("Patients took daily oral escitalopram.")


def test_a_marker_that_names_the_other_side_needs_a_therapy_there():
    def rows(text):
        return set(extract(docs_frame(text)).comparisons.select("subject", "relation", "object").iter_rows())

    assert rows("Patients took SSRIs. Remission was 27% with esketamine versus 18% with quetiapine, "
                "and lasted longer.") == set()
    assert rows("Ketamine acts faster than SSRIs.") == {("ketamine", "faster_than", "ssri")}
    assert rows("Esketamine versus SSRIs: esketamine works within hours.") == {("esketamine", "faster_than", "ssri")}


def test_supervision_and_preparation_wordings_of_retreats_and_clinics():
    facts = _facts("A registered nurse is on site during every psilocybin ceremony. "
                   "You will complete two preparation calls and join group integration circles.")
    assert {("psilocybin", "setting", "medical_supervision"), ("psilocybin", "setting", "integration_sessions")} <= facts


def _compared(text: str) -> set[tuple]:
    return set(extract(docs_frame(text)).comparisons.select("subject", "attribute", "relation", "object").iter_rows())


def test_an_asserted_harm_after_a_marker_naming_the_other_side_is_the_higher_side():
    assert _compared("Unlike psilocybin, MDMA carries a known potential for misuse.") == {
        ("mdma", "risk", "higher_than", "psilocybin")}
    # after "than" the sentence compares what the marker speaks of, not every harm it names
    assert _compared("Ketamine acts faster than SSRIs but can cause dissociation.") == {
        ("ketamine", "onset", "faster_than", "ssri")}


def test_by_comparison_sets_a_sentence_against_the_one_before():
    assert _compared("Ketamine can lift mood within hours. Oral antidepressants, by comparison, can take a month "
                     "or more to work.") == {("traditional_antidepressants", "onset", "slower_than", "ketamine")}
    assert ("ketamine", "onset", "faster_than", "traditional_antidepressants") in _compared(
        "Ketamine worked way faster for me than any antidepressant I have tried.")


def test_a_clause_opened_by_rather_than_keeps_its_therapy_to_itself():
    facts = _facts("Rather than targeting serotonin like traditional antidepressants, ketamine works on glutamate.")
    assert ("ketamine", "mechanism", "glutamate_modulation") in facts
    assert ("traditional_antidepressants", "mechanism", "glutamate_modulation") not in facts


def test_a_value_before_a_dose_noun_and_of_modifies_the_therapy_after_of():
    facts = _facts("Participants received two doses of psilocybin or a daily pill of escitalopram.")
    assert {("psilocybin", "regimen", "multiple_sessions"), ("ssri", "regimen", "daily"),
            ("ssri", "route", "oral")} <= facts
    assert ("psilocybin", "regimen", "daily") not in facts


def test_session_lengths_and_schedules_are_neither_onsets_nor_single_sessions():
    facts = _facts("Each ketamine infusion takes about 45 minutes. Esketamine is given in one session per week.")
    assert not any(attribute == "onset" for _, attribute, _ in facts)
    assert ("esketamine", "regimen", "single_session") not in facts


def test_depression_that_has_not_responded_is_treatment_resistant_only():
    facts = _facts("Ketamine is used for depression that has not responded to other treatments.")
    assert ("ketamine", "indication", "treatment_resistant_depression") in facts
    assert ("ketamine", "indication", "depression") not in facts


def test_first_person_wordings_of_side_effects_and_waiting():
    facts = _facts("Zoloft numbed me out completely and I gained almost 30 pounds. With the SSRIs I waited "
                   "weeks for anything.")
    assert {("ssri", "side_effect", "emotional_blunting"), ("ssri", "side_effect", "weight_gain"),
            ("ssri", "onset", "weeks")} <= facts
    assert ("ketamine", "side_effect", "weight_gain") not in _facts("Ketamine is dosed at 0.5 mg per kg, "
                                                                    "about 35 mg for a person of 150 pounds.")


def test_wordings_of_direction_on_risk_cost_and_onset():
    assert _compared("Ketamine is a faster-acting alternative to SSRIs.") == {("ketamine", "onset", "faster_than", "ssri")}
    assert _compared("MDMA has a higher potential for abuse than psilocybin.") == {
        ("mdma", "risk", "higher_than", "psilocybin")}
    assert _compared("Psilocybin therapy is more expensive than SSRIs.") == {("psilocybin", "cost", "higher_than", "ssri")}
    assert _compared("In contrast to SSRIs, psilocybin does not blunt emotions.") == {
        ("psilocybin", "side_effect", "lower_than", "ssri")}


def test_a_new_verb_after_and_ends_a_negation():
    claims = _claims("Unlike SSRIs, ketamine does not need to be taken every day and works within hours.")
    assert ("ketamine", "onset", "hours", False, False) in claims
    assert ("ketamine", "regimen", "daily", True, False) in claims


def test_the_side_a_marker_sets_apart_first_is_the_object_whichever_side_speaks():
    assert _compared("Compared to Lexapro, which made me feel like a zombie, psilocybin has had basically no side "
                     "effects for me.") == {("psilocybin", "side_effect", "lower_than", "ssri")}
    assert _compared("Unlike SSRIs, which can cause weight gain, psilocybin is taken only a few times.") == {
        ("psilocybin", "side_effect", "lower_than", "ssri")}
    # "different from" sets no side higher
    assert _compared("Ketamine's side effects are different from those associated with traditional antidepressants, "
                     "which often include weight gain.") == set()
    # a therapy far past the marker is not the one it names
    assert _compared("Patients took SSRIs. Remission was 27% with esketamine versus 18% with quetiapine, and more "
                     "patients on esketamine stayed well.") == set()


def test_a_therapy_that_failed_is_not_the_topic():
    facts = _facts("Adults who had failed two to four antidepressant treatments received a single 25 mg dose of "
                   "psilocybin.")
    assert {("psilocybin", "indication", "treatment_resistant_depression"),
            ("psilocybin", "regimen", "single_session")} <= facts
    assert not any(subject == "traditional_antidepressants" for subject, _, _ in facts)


def test_insurance_cover_take_up_to_and_dates():
    assert ("ssri", "legal_status", "prescription") in _facts("SSRIs are covered by nearly every insurance plan.")
    assert ("ketamine", "legal_status", "prescription", True, False) in _claims(
        "Insurance does not pay for ketamine.")
    facts = _facts("The full effects of SSRIs can take up to three months.")
    assert ("ssri", "onset", "months") in facts and ("ssri", "duration", "months") not in facts
    assert not any(attribute in ("onset", "duration") for _, attribute, _ in _facts(
        "I started taking psilocybin four months ago."))


def test_care_by_a_facilitator_is_support_and_is_different_points_back():
    facts = _facts("Adults take psilocybin under the care of a trained facilitator.")
    assert ("psilocybin", "setting", "psychotherapy_support") in facts
    assert ("psilocybin", "setting", "medical_supervision") not in facts
    assert _compared("Waiting weeks for a standard antidepressant to work can be dangerous. Ketamine is different: "
                     "it can reduce suicidal thoughts within hours.") == {
        ("ketamine", "onset", "faster_than", "traditional_antidepressants")}


def test_a_plural_pronoun_after_two_heads_gives_what_follows_to_both():
    facts = _facts("Racemic ketamine given intravenously and esketamine given intranasally are both used for "
                   "treatment-resistant depression.")
    assert {("ketamine", "indication", "treatment_resistant_depression"),
            ("esketamine", "indication", "treatment_resistant_depression")} <= facts
    facts = _facts("Ketamine and esketamine were compared. We searched for trials of either drug in adults with "
                   "major depression.")
    assert {("ketamine", "indication", "major_depressive_disorder"),
            ("esketamine", "indication", "major_depressive_disorder")} <= facts


def test_a_values_own_words_never_rule_it_out():
    assert ("ketamine", "side_effect", "dissociation") in _facts(
        "Dissociative symptoms were the most frequently reported side effect of ketamine.")


def test_acute_effects_courses_and_waiting_are_no_onsets():
    facts = _facts("Your ketamine plan begins with six guided sessions over four weeks. Most people feel the effects "
                   "begin within 10 to 15 minutes. Do not drive until the next day.")
    assert not any(attribute == "onset" for _, attribute, _ in facts)
    assert ("ketamine", "onset", "hours") in _facts("Ketamine's antidepressant effects begin within hours.")


def test_tablets_under_the_tongue_are_sublingual_and_daily_pills_are_taken_not_lasting():
    facts = _facts("Patients receive psilocybin tablets that dissolve under the tongue.")
    assert ("psilocybin", "route", "sublingual") in facts and ("psilocybin", "route", "oral") not in facts
    facts = _facts("SSRIs are pills you take every day, usually for at least six months.")
    assert ("ssri", "route", "oral") in facts
    assert not any(attribute == "duration" for _, attribute, _ in facts)


def test_a_head_after_the_plural_pronoun_keeps_its_own_values():
    facts = _facts("Ketamine and psilocybin both act within days, whereas SSRIs cause weight gain.")
    assert ("ssri", "side_effect", "weight_gain") in facts
    assert ("ketamine", "side_effect", "weight_gain") not in facts


def test_a_comparative_alone_sets_its_side_against_the_topic_carried_from_before():
    assert ("traditional_antidepressants", "onset", "slower_than", "esketamine") in _compared(
        "Esketamine can ease symptoms within hours. Oral antidepressants on their own usually take longer to "
        "show an effect.")
    assert ("ssri", "side_effect", "higher_than", "psilocybin") in _compared(
        "Psilocybin worked as well as the usual treatment. Escitalopram users reported more side effects overall.")


def test_a_comparative_alone_compares_only_its_own_words_and_not_bare_longer():
    assert not _compared("Psilocybin eased symptoms within a day. Larger and longer trials are needed to compare "
                         "it with established antidepressants.")
    assert not _compared("Ketamine is given in a clinic. SSRIs take weeks, and they are cheaper.") - {
        ("ssri", "cost", "lower_than", "ketamine")}


def test_the_therapy_of_an_opening_like_clause_shares_nothing_after_it():
    facts = _facts("Like ketamine, esketamine can be misused, and it is a Schedule III controlled substance. "
                   "It is only available through a restricted program.")
    assert {("esketamine", "legal_status", "schedule_iii"), ("esketamine", "legal_status", "prescription")} <= facts
    assert not {f for f in facts if f[0] == "ketamine" and f[1] == "legal_status"}


def test_a_lower_potential_for_abuse_is_no_abuse_potential_but_still_a_comparison():
    text = "Psilocybin has a lower potential for abuse than ketamine."
    assert ("psilocybin", "risk", "abuse_potential") not in _facts(text)
    assert ("psilocybin", "risk", "lower_than", "ketamine") in _compared(text)


def test_recovery_from_a_session_placebo_pills_and_two_therapies_are_no_onsets_or_regimens():
    facts = _facts("A ketamine session lasts about an hour, and most patients are back to their normal selves "
                   "within two hours. Half received two 25 mg doses of psilocybin, plus daily placebo pills. "
                   "The two treatments of the trial, psilocybin and escitalopram, reduced depression scores.")
    assert not {f for f in facts if f[1] == "onset"}
    assert ("psilocybin", "regimen", "multiple_sessions") in facts
    assert ("psilocybin", "regimen", "daily") not in facts
    assert ("ssri", "regimen", "multiple_sessions") not in facts


def test_a_comparative_right_before_a_harm_sets_it_against_the_document_topic():
    assert ("ssri", "side_effect", "higher_than", "psilocybin") in _compared(
        "Psilocybin eased symptoms within a day in the trial, while sertraline, like other SSRIs, took weeks. "
        "Sertraline users also reported more weight gain and more insomnia.")
    assert ("ketamine", "side_effect", "lower_than", "ssri") in _compared(
        "SSRIs often cause nausea. Patients on ketamine had fewer headaches.")


def test_withdrawal_symptoms_mushrooms_counterfactual_approval_and_faded_benefits():
    facts = _facts("Stopping sertraline too fast can cause discontinuation symptoms like dizziness. "
                   "Mushrooms are still illegal where I live. "
                   "MDMA would have been the first psychedelic therapy approved by the FDA. "
                   "For esketamine the benefits had mostly faded by 12 weeks. Psilocybin did nothing for my depression.")
    assert {("ssri", "side_effect", "dizziness"), ("psilocybin", "history", "prohibition"),
            ("esketamine", "duration", "transient")} <= facts
    assert not {f for f in facts if f[2] == "fda_approved" or f[:2] == ("psilocybin", "indication")}


def test_a_counting_pronoun_points_back_to_that_many_therapies_named_last():
    facts = _facts("Ketamine is our main service. We also study LSD, esketamine and psilocybin. LSD lasts for up "
                   "to twelve hours. Esketamine is a nasal spray. Psilocybin comes from mushrooms. All three can "
                   "cause nausea.")
    assert {s for s, a, v in facts if v == "nausea"} == {"lsd", "esketamine", "psilocybin"}


def test_a_stronger_response_compares_efficacy_and_rarely_compared_compares_nothing():
    assert _compared("Some studies suggest IV ketamine produces a stronger response than esketamine, but the two "
                     "have rarely been compared head to head.") == {("ketamine", "efficacy", "higher_than", "esketamine")}


def test_how_long_acute_effects_take_and_last_is_no_onset():
    assert not {f for f in _facts("Ayahuasca effects begin within about an hour and last four to six hours.")
                if f[1] == "onset"}


def test_after_an_aside_set_against_the_topic_the_text_returns_to_the_topic():
    facts = _facts("Esketamine can work within a day. Most SSRIs, by comparison, need four weeks or more. The "
                   "benefit of one dose fades within a week, so doses are repeated twice a week.")
    assert ("esketamine", "duration", "transient") in facts and ("ssri", "onset", "weeks") in facts
    assert not {f for f in facts if f[0] == "ssri" and f[1] in ("duration", "regimen")}
    # a marker that opens the sentence turns the text to the new subject
    turned = _facts("Esketamine can work within a day. In contrast, MDMA sessions last all day. The sessions are "
                    "followed by integration sessions.")
    assert ("mdma", "setting", "integration_sessions") in turned


def test_a_word_of_likeness_sets_no_direction():
    assert _compared("LSD also tends to act quickly, often within a day, whereas the benefits of esketamine fade "
                     "unless doses continue.") == {("esketamine", "duration", "shorter_than", "lsd")}


def test_the_people_of_a_study_give_their_condition_to_the_therapy_tried():
    facts = _facts("LSD is studied for worry. In one trial of people with generalized anxiety disorder, "
                   "benefits lasted three months.")
    assert ("lsd", "indication", "anxiety") in facts
    # people with a condition outside a study still take no carried subject
    assert not {f for f in _facts("LSD was given to volunteers. Adults with anxiety often avoid crowds.")
                if f[1] == "indication"}


def test_a_colon_that_names_the_subject_right_after_it_is_no_barrier():
    facts = _facts("LSD is studied for anxiety. One drug is FDA approved for TRD: esketamine (Spravato).")
    assert {("esketamine", "legal_status", "fda_approved"), ("esketamine", "indication",
                                                            "treatment_resistant_depression")} <= facts
    assert not {f for f in facts if f[0] == "lsd" and f[1] == "legal_status"}


def test_words_for_how_a_session_feels_and_is_framed():
    facts = _facts("MDMA therapy involves two long sessions with preparation beforehand and integration afterwards. "
                   "People often feel dissociated or have anxious moments.")
    assert {("mdma", "regimen", "multiple_sessions"), ("mdma", "setting", "integration_sessions"),
            ("mdma", "side_effect", "dissociation"), ("mdma", "side_effect", "anxiety")} <= facts


def test_access_and_tolerability_are_compared():
    assert _compared("Unlike ketamine clinics, which operate in every state, MDMA programs are limited to two "
                     "countries.") == {("mdma", "accessibility", "lower_than", "ketamine")}
    assert _compared("Esketamine is better tolerated than ketamine.") == {
        ("esketamine", "tolerability", "higher_than", "ketamine")}


def test_a_benefit_that_does_not_last_is_transient_but_not_one_that_lasts_less_long():
    assert ("ketamine", "duration", "transient") in _facts("Ketamine works fast. The catch is it doesn't last.")
    assert ("ketamine", "duration", "transient") not in _facts("Ketamine works faster, but it doesn't last as long.")


def test_dates_and_contexts_after_a_time_do_not_make_its_reading():
    assert not {f for f in _facts("Psilocybin centers began serving clients this week.") if f[1] == "onset"}
    facts = _facts("Esketamine was studied. Scores improved within the first week and remained improved through "
                   "week 52.")
    assert ("esketamine", "onset", "weeks") in facts and ("esketamine", "duration", "weeks") not in facts


def test_a_longer_complement_and_a_program_named_by_its_offer():
    facts = _facts("Patients received esketamine twice weekly, together with a newly started oral antidepressant. "
                   "Each dose was given at a treatment center under observation.")
    assert ("esketamine", "setting", "medical_supervision") in facts
    assert ("psilocybin", "legal_status", "state_regulated_program") in _facts(
        "Oregon legalized supervised psilocybin services in 2020.")


def test_a_question_compares_nothing_and_what_is_known_is_no_property():
    assert not _compared("SSRIs and psychedelics: how do they differ?\n\nSSRIs are pills.\n\nWhich is safer?\n\n"
                         "SSRIs have been used for 30 years.")
    assert not _compared("SSRIs have been used for decades. Far less is known about the long-term safety of MDMA.")


def test_too_little_to_cause_is_a_negation_and_a_harm_reported_more_is_a_side_effect():
    claims = _claims("LSD microdoses are too little to cause hallucinations.")
    assert ("lsd", "side_effect", "hallucinations", True, False) in claims
    facts = _facts("In the trial, those who received LSD reported more anxiety than those on placebo.")
    assert ("lsd", "side_effect", "anxiety") in facts and ("lsd", "indication", "anxiety") not in facts


def test_a_spray_into_the_nose_and_the_first_few_sessions():
    facts = _facts("Esketamine is sprayed into the nose. Most people improve after the first few sessions.")
    assert {("esketamine", "route", "intranasal"), ("esketamine", "regimen", "multiple_sessions")} <= facts


def test_also_before_a_comparative_adds_a_difference():
    assert ("mdma", "onset", "faster_than", "ssri") in _compared(
        "MDMA also appears to work faster, whereas SSRIs often take eight weeks to reach their full effect.")


def test_a_longer_record_is_established_use_and_larger_improvements_are_efficacy():
    text = "LSD is new. SSRIs, however, have a much longer safety record and are far cheaper."
    assert ("ssri", "evidence_level", "established_use") in _facts(text)
    assert {c for c in _compared(text) if c[1] == "duration"} == set()
    assert _compared("Psilocybin produced larger improvements than escitalopram.") == {
        ("psilocybin", "efficacy", "higher_than", "ssri")}


def test_a_list_item_that_opens_with_people_names_a_use_of_the_topic():
    text = ("Ketamine is given as an infusion.\n\nWho may benefit?\n- Adults with treatment-resistant depression\n"
            "- Some patients with bipolar depression, after review\n")
    assert {("ketamine", "indication", "treatment_resistant_depression"),
            ("ketamine", "indication", "bipolar_depression")} <= _facts(text)
    # outside a list, people with a condition still say nothing of the topic
    assert ("ketamine", "indication", "bipolar_depression") not in _facts(
        "Ketamine is given as an infusion. Patients with bipolar depression often wait years for a diagnosis.")


def test_what_did_not_help_is_not_the_subject():
    facts = _facts("Ketamine is given as an infusion.\n\nWho may benefit?\n- Treatment-resistant depression (depression "
                   "that has not improved after two or more antidepressants)\n")
    assert ("ketamine", "indication", "treatment_resistant_depression") in facts
    assert not {f for f in facts if f[0] == "traditional_antidepressants"}


def test_a_procedure_outside_the_vocabulary_takes_its_own_claims():
    facts = _facts("Ketamine works within hours. ECT requires several sessions a week and can cause nausea "
                   "and headache. Transcranial magnetic stimulation is given daily for six weeks.")
    assert ("ketamine", "onset", "hours") in facts
    assert not {f for f in facts if f[1] in ("side_effect", "regimen", "duration")}
    facts = _facts("Esketamine often caused dizziness. Quetiapine more often caused sleepiness and weight gain.")
    assert ("esketamine", "side_effect", "dizziness") in facts
    assert not {f for f in facts if f[2] in ("sedation", "weight_gain")}


def test_a_class_noun_before_its_examples_is_their_head():
    facts = _facts("Microdosing means taking a small amount of a psychedelic such as LSD or psilocybin every few days.")
    assert ("psychedelics", "regimen", "multiple_sessions") in facts
    assert not {f for f in facts if f[0] in ("lsd", "psilocybin")}


def test_effects_over_time_said_unknown_are_an_unknown_long_term_safety():
    for sentence in ("The long-term effects of repeated ketamine infusions have not been well studied.",
                     "The effects of taking ketamine repeatedly over years are also unknown."):
        assert ("ketamine", "risk", "unknown_long_term_safety") in _facts(sentence)
    assert ("ketamine", "risk", "unknown_long_term_safety") not in _facts(
        "Ketamine's long-term effects on mood were measured over years.")


def test_recruiting_trials_are_ongoing_research_and_visual_distortions_no_hallucinations():
    facts = _facts("LSD caused visual distortions and nausea. Two phase 3 trials of LSD are now recruiting.")
    assert {("lsd", "side_effect", "perceptual_changes"), ("lsd", "evidence_level", "ongoing_research")} <= facts
    assert ("lsd", "side_effect", "hallucinations") not in facts


def test_against_a_therapy_named_after_than_a_sides_values_set_no_direction():
    assert _compared("Psilocybin: it took me a few days to feel the shift, but it has lasted much longer than "
                     "ketamine ever did.") == {("psilocybin", "duration", "longer_than", "ketamine")}


def test_a_direction_with_no_therapy_before_it_belongs_to_the_one_closely_after():
    assert _compared("Sexual dysfunction was reported more often with escitalopram, whereas psilocybin was "
                     "associated with improved sexual functioning.") == {("ssri", "side_effect", "higher_than", "psilocybin")}
    assert not _compared("Headache was more common after psilocybin, whereas sexual dysfunction was reported more "
                         "often with escitalopram.")


def test_what_a_therapy_is_measured_against_takes_no_direction():
    assert _compared("Psilocybin may work as well as escitalopram and may have a better side-effect profile.") == {
        ("psilocybin", "tolerability", "higher_than", "ssri")}
    assert ("ketamine", "tolerability", "higher_than", "ssri") in _compared(
        "Ketamine works faster than SSRIs and is better tolerated.")


def test_what_was_taken_before_is_not_the_topic_and_a_benefit_still_present_lasts():
    facts = _facts("Ketamine: I felt lighter within a day, which was shocking after years on Zoloft. But the effect "
                   "faded after a week or two.")
    assert ("ketamine", "duration", "transient") in facts and not {f for f in facts if f[0] == "ssri"}
    assert ("esketamine", "duration", "months") in _facts("Esketamine's advantage was still present at 32 weeks.")


def test_times_in_a_schedule_or_kinds_of_day_are_no_onset():
    """"two sessions a week" is a frequency and "the off days" a kind of day: neither says how soon
    the benefit comes."""
    assert not {f for f in _facts("Ketamine treatment typically begins with two sessions a week.")
                if f[1] == "onset"}
    assert not {f for f in _facts("I noticed I started wanting ketamine on the off days.") if f[1] == "onset"}
    assert ("ssri", "onset", "weeks") in _facts("With an SSRI you wait six to eight weeks before you know it works.")


def test_a_count_before_the_session_noun_says_several_sessions():
    assert ("mdma", "regimen", "multiple_sessions") in _facts(
        "MDMA was given to each participant in three 8-hour experimental sessions.")
    assert ("mdma", "legal_status", "investigational") not in _facts(
        "MDMA was given to each participant in three 8-hour experimental sessions.")
    assert ("mdma", "regimen", "multiple_sessions") not in _facts("MDMA was given in sessions supervised by two therapists.")


def test_a_regulator_named_apart_from_its_approval():
    assert ("esketamine", "legal_status", "fda_approved") in _facts(
        "The U.S. Food and Drug Administration on Tuesday approved the nasal spray Spravato.")


def test_lozenges_are_held_under_the_tongue_and_harms_graded_mild_are_no_benefit_duration():
    assert ("ketamine", "route", "oral") not in _facts("The clinic mails you ketamine lozenges.")
    assert ("ketamine", "route", "sublingual") in _facts("The clinic mails you ketamine lozenges.")
    assert ("mdma", "duration", "transient") not in _facts(
        "Adverse events with MDMA included nausea and decreased appetite; these were mostly mild and transient.")


def test_a_time_after_the_dose_is_an_onset_and_a_time_since_ingestion_is_not():
    facts = _facts("A trial found that ayahuasca improved depression one day after a single dose, "
                   "which persisted for at least a week.")
    assert ("dmt", "onset", "days") in facts and ("dmt", "duration", "days") not in facts
    assert not {f for f in _facts("The effects of ayahuasca usually begin within an hour of ingestion.")
                if f[1] == "onset"}


def test_more_reports_of_a_harm_than_the_other_side_is_a_side_effect_comparison():
    extraction = extract(docs_frame("Escitalopram was associated with more reports of sexual dysfunction and "
                                    "drowsiness than psilocybin."))
    assert ("ssri", "side_effect", "higher_than", "psilocybin") in {
        r[:4] for r in extraction.comparisons.select("subject", "attribute", "relation", "object").rows()}


def test_a_count_per_unit_of_time_is_a_schedule_not_a_single_session():
    facts = _facts("Esketamine is given in two treatment sessions each week, then one session each week.")
    assert ("esketamine", "regimen", "multiple_sessions") in facts
    assert ("esketamine", "regimen", "single_session") not in facts


def test_days_picked_out_are_no_onset():
    facts = _facts("I started microdosing LSD last year. It took a while, but my mood is better most days now.")
    assert not {f for f in facts if f[1] == "onset"}


def test_a_single_infusion_is_a_regimen_and_a_route():
    facts = _facts("A single infusion of ketamine typically wears off within a week or two.")
    assert {("ketamine", "route", "intravenous"), ("ketamine", "regimen", "single_session")} <= facts


def test_patients_a_clinic_will_not_treat_name_risks_not_negated_ones():
    facts = _facts("Ketamine is not right for everyone: we do not treat patients with uncontrolled high blood "
                   "pressure.")
    assert ("ketamine", "risk", "cardiovascular_risk") in facts


def test_depression_that_does_not_improve_is_treatment_resistant():
    facts = _facts("For patients who do not improve after two antidepressants, doctors increasingly turn to ketamine.")
    assert ("ketamine", "indication", "treatment_resistant_depression") in facts
    assert ("ketamine", "indication", "depression") not in facts


def test_outcomes_that_favor_one_therapy_over_another_compare_efficacy():
    comparisons = extract(docs_frame("Secondary outcomes favored psilocybin over escitalopram.")).comparisons
    assert comparisons.select("subject", "attribute", "relation", "object").rows() == [
        ("psilocybin", "efficacy", "higher_than", "ssri")]


def test_a_negation_before_the_people_of_a_condition_denies_the_act_not_the_condition():
    facts = _facts("Ketamine can help. We do not offer it to anyone with a history of psychosis.")
    assert ("ketamine", "risk", "psychosis") in facts


def test_not_knowing_the_long_term_risks_is_no_negation_of_them():
    facts = _facts("Psilocybin trials were small, and we don't know the long-term risks.")
    assert ("psilocybin", "risk", "unknown_long_term_safety") in facts


def test_the_people_a_clinic_sees_have_what_its_therapy_is_for():
    facts = _facts("Ketamine-assisted therapy is our specialty. We see adults living with post-traumatic stress "
                   "disorder.")
    assert ("ketamine", "indication", "ptsd") in facts


def test_a_pronoun_points_to_a_clause_subject_not_to_a_therapy_after_a_preposition():
    facts = _facts("Psilocybin does not cause the sexual side effects linked to SSRIs, but it often causes nausea.")
    assert ("psilocybin", "side_effect", "nausea") in facts
    assert ("ssri", "side_effect", "nausea") not in facts


def test_a_class_in_apposition_past_another_name_is_the_therapy_class():
    facts = _facts("Lysergic acid diethylamide (LSD), also known as acid, is a potent psychedelic drug. Its effects "
                   "include visual hallucinations.")
    assert ("lsd", "drug_class", "serotonergic_psychedelic") in facts
    assert ("lsd", "side_effect", "hallucinations") in facts
    assert not {f for f in facts if f[0] == "psychedelics"}


def test_harms_in_plain_words():
    facts = _facts("Ayahuasca is rough: you throw up a lot, and some people are feeling sick for hours.")
    assert {("dmt", "side_effect", "vomiting"), ("dmt", "side_effect", "nausea")} <= facts


def test_a_therapy_past_compared_with_is_the_other_side_not_the_subject_of_a_value_before_it():
    facts = _facts("Esketamine works differently.\nFaster relief: many patients notice improvement within days, "
                   "compared with the weeks that oral antidepressants usually take.")
    assert ("esketamine", "onset", "days") in facts
    assert ("traditional_antidepressants", "onset", "days") not in facts


def test_an_experience_that_can_terrify_is_a_severe_psychological_reaction():
    facts = _facts("Ayahuasca is a brew containing DMT. The visions can be terrifying at times.")
    assert ("dmt", "risk", "severe_psychological_reactions") in facts


def test_both_counts_the_two_therapies_named_last_also_past_a_question():
    facts = _facts("Spravato is usually covered by insurance. Ketamine infusions often are not.\n"
                   "What are the side effects?\nBoth can cause dissociation.")
    assert {("esketamine", "side_effect", "dissociation"), ("ketamine", "side_effect", "dissociation")} <= facts


def test_both_that_opens_a_pair_points_back_to_nothing():
    facts = _facts("Ketamine is often compared with SSRIs. It acts on both glutamate and serotonin.")
    assert ("ketamine", "mechanism", "glutamate_modulation") in facts
    assert not {f for f in facts if f[0] == "ssri" and f[1] == "mechanism"}


def test_a_therapy_along_with_another_is_a_complement_not_a_head():
    facts = _facts("Spravato was approved for treatment-resistant depression, to be used along with an oral "
                   "antidepressant.\nWhich one works faster?\nBoth can ease depressive symptoms within hours.")
    assert ("traditional_antidepressants", "onset", "hours") not in facts


def test_a_therapy_in_brackets_reaches_only_to_the_closing_bracket():
    facts = _facts("Ketamine\nHow it is given: IV infusion, nasal spray (esketamine) or lozenge")
    assert ("ketamine", "route", "sublingual") in facts
    assert ("esketamine", "route", "sublingual") not in facts


def test_the_topic_handed_on_is_the_subject_not_a_therapy_after_a_preposition():
    facts = _facts("Spravato is prescribed to people who did not get better on SSRIs. "
                   "The most common side effects are dizziness and nausea.")
    assert ("esketamine", "side_effect", "dizziness") in facts
    assert ("ssri", "side_effect", "dizziness") not in facts


def test_a_documents_topic_is_the_therapy_that_opens_a_sentence_before_one_named_in_passing():
    facts = _facts("Health News\nA new option for hard-to-treat depression\nMaria had tried three antidepressants "
                   "before her doctor suggested ketamine. Ketamine is given as a slow infusion.\n\n"
                   "The most common side effects are nausea and dizziness.")
    assert ("ketamine", "side_effect", "nausea") in facts
    assert ("traditional_antidepressants", "side_effect", "nausea") not in facts


def test_a_regulators_approval_names_what_the_therapy_is_for():
    facts = _facts("Spravato was first approved in 2019. In 2020 the approval was extended to adults with "
                   "major depressive disorder.")
    assert ("esketamine", "indication", "major_depressive_disorder") in facts


def test_a_count_in_digits_makes_several_sessions():
    assert ("ketamine", "regimen", "multiple_sessions") in _facts("Ketamine: I had 6 IV infusions.")


def test_a_first_week_is_fast_against_the_weeks_of_a_conventional_pill():
    assert ("esketamine", "onset", "faster_than", "traditional_antidepressants") in _compared(
        "Esketamine often helps within the first week, compared with the four to six weeks a conventional pill needs.")


def test_helping_only_a_minority_is_lower_efficacy_by_comparison():
    assert ("ssri", "efficacy", "lower_than", "mdma") in _compared(
        "MDMA therapy led to remission in most participants. By comparison, SSRIs help only a minority of patients.")


def test_a_value_inside_an_unlike_clause_naming_no_therapy_belongs_to_no_one():
    facts = _facts("MDMA therapy is given in a clinic.\nUnlike the daily pills, which are taken by mouth for years, "
                   "MDMA is given only three times.")
    assert ("mdma", "regimen", "daily") not in facts
    assert ("mdma", "route", "oral") not in facts


def test_a_comparative_ending_in_than_makes_the_therapy_after_it_the_object():
    assert _compared("I did one psilocybin session last year. Now my mood is better than it was on Lexapro.") == {
        ("psilocybin", "efficacy", "higher_than", "ssri")}


def test_an_experience_that_was_scary_is_a_severe_psychological_reaction():
    assert ("psilocybin", "risk", "severe_psychological_reactions") in _facts(
        "My psilocybin session: the first hour was scary, then it got easier.")


def test_a_therapy_that_failed_is_not_what_the_condition_is_treated_with():
    facts = _facts("If two antidepressants haven't helped, you may have treatment-resistant depression.")
    assert ("traditional_antidepressants", "indication", "treatment_resistant_depression") not in facts
    assert ("ketamine", "indication", "treatment_resistant_depression") in _facts(
        "My psychiatrist suggested ketamine since I'd failed three antidepressants.")


def test_greater_gains_than_another_therapy_is_higher_efficacy():
    assert ("psilocybin", "efficacy", "higher_than", "ssri") in _compared(
        "Psilocybin was associated with greater gains in wellbeing than escitalopram.")


def test_a_street_drug_is_a_recreational_use_of_it():
    assert ("mdma", "risk", "recreational_use") in _facts("Keep in mind street molly is often cut with other stuff.")


def test_a_time_after_harms_that_pass_is_no_duration_or_onset_of_the_benefit():
    facts = _facts("Esketamine is a nasal spray. The most common side effects are dizziness and nausea. "
                   "These usually wear off the same day.")
    assert ("esketamine", "side_effect", "dizziness") in facts
    assert not {f for f in facts if f[1] in ("duration", "onset")}
    assert not {f for f in _facts("Headache was the most frequent complaint after psilocybin sessions and "
                                  "typically faded within a day.") if f[1] in ("duration", "onset")}


def test_an_equative_with_a_degree_word_measures_against_the_therapy_after_it():
    facts = _facts("Two doses of psilocybin, the active ingredient in magic mushrooms, worked at least as well as "
                   "six weeks of daily escitalopram in a trial of people with major depression.")
    assert {("psilocybin", "indication", "major_depressive_disorder"), ("ssri", "regimen", "daily")} <= facts
    assert ("psilocybin", "regimen", "daily") not in facts


def test_harms_listed_as_risks_are_side_effects():
    facts = _facts("LSD is a psychedelic. Psychological risks include anxiety and paranoia.")
    assert ("lsd", "side_effect", "anxiety") in facts
    assert ("lsd", "indication", "anxiety") not in facts


def test_doing_more_for_someone_than_another_therapy_is_higher_efficacy():
    assert ("psilocybin", "efficacy", "higher_than", "ssri") in _compared(
        "A friend did a psilocybin retreat and says one weekend did more for her than years of Zoloft.")


def test_a_span_of_up_to_a_week_in_days_is_days_and_an_infusion_time_is_no_onset():
    facts = _facts("A single infusion of ketamine (0.5 mg/kg over 40 minutes) produced a response within 4 hours, "
                   "with effects typically lasting 3 to 7 days.")
    assert {("ketamine", "onset", "hours"), ("ketamine", "duration", "days")} <= facts
    assert ("ketamine", "onset", "minutes") not in facts and ("ketamine", "duration", "weeks") not in facts


def test_a_count_before_a_therapys_session_name_is_its_regimen():
    facts = _facts("I did six ketamine infusions last spring.")
    assert {("ketamine", "regimen", "multiple_sessions"), ("ketamine", "route", "intravenous")} <= facts
    assert ("psilocybin", "regimen", "single_session") in _facts("He had one psilocybin session in a trial.")
    assert ("psilocybin", "regimen", "multiple_sessions") in _facts("She had three psilocybin sessions.")
    # without a count the name says nothing of how many
    assert not {f for f in _facts("The ketamine infusions helped my mood.") if f[1] == "regimen"}


def test_side_effects_that_ease_give_no_onset_and_a_first_session_is_no_standard_of_care():
    facts = _facts("Esketamine can cause dizziness and nausea. These effects typically ease within the two-hour "
                   "observation period.")
    assert ("esketamine", "side_effect", "dizziness") in facts
    assert not {f for f in facts if f[1] in ("duration", "onset")}
    facts = _facts("Some people notice an improvement with esketamine within a day of their first treatment.")
    assert ("esketamine", "evidence_level", "established_use") not in facts
    assert ("ssri", "evidence_level", "established_use") in _facts("An SSRI is still the first treatment to try.")


def test_a_trial_arm_that_did_better_is_higher_efficacy_and_a_trial_under_way_is_ongoing():
    assert ("psilocybin", "efficacy", "higher_than", "ssri") in _compared(
        "On secondary measures, the psilocybin group did better than the escitalopram group.")
    assert ("dmt", "evidence_level", "ongoing_research") in _facts(
        "A clinical trial of intravenous DMT for major depressive disorder is under way.")


def test_a_class_named_after_an_aside_and_a_copula_is_the_therapys_class():
    facts = _facts("Escitalopram, an SSRI, is one of the most widely prescribed antidepressants in the world.")
    assert ("ssri", "evidence_level", "established_use") in facts
    assert ("traditional_antidepressants", "evidence_level", "established_use") not in facts


def test_a_one_sided_comparative_about_the_topic_is_set_against_the_other_arm_named_before():
    text = ("Psilocybin was tested against escitalopram. Half the patients got psilocybin. The others took "
            "escitalopram every day.\n\nOn the main measure, the difference between the groups was not significant. "
            "People who got psilocybin were then followed for six months. "
            "Psilocybin patients also reported fewer side effects such as emotional blunting.")
    assert ("psilocybin", "side_effect", "lower_than", "ssri") in _compared(text)
    # "than" naming something outside the vocabulary sets nothing against the arm
    assert not _compared("Psilocybin was compared with escitalopram in a trial. Larger trials are needed before "
                         "anyone can say that psilocybin is better than existing drugs.")


def test_than_naming_something_outside_the_vocabulary_sets_nothing_against_the_other_arm():
    text = ("Psilocybin was tested against escitalopram. Half the patients got psilocybin. The others took "
            "escitalopram every day.\n\nPeople who got psilocybin were then followed for six months. Larger trials "
            "are needed before anyone can say that psilocybin is better than existing drugs.")
    assert not {c for c in _compared(text) if c[1] == "efficacy"}


def test_a_relative_clause_after_an_example_is_about_the_example():
    facts = _facts("The decision may slow other psychedelic drugs in development, including psilocybin, which the FDA "
                   "has designated a breakthrough therapy for depression.")
    assert {("psilocybin", "legal_status", "breakthrough_therapy"), ("psilocybin", "indication", "depression")} <= facts
    assert ("psychedelics", "legal_status", "breakthrough_therapy") not in facts
    # without the relative clause the head keeps the value
    assert ("psychedelics", "indication", "depression") in _facts(
        "Psychedelics such as psilocybin are being studied for depression.")


def test_a_scheduled_session_gives_no_onset_and_a_drug_given_once_is_a_single_session():
    facts = _facts("Ketamine-assisted psychotherapy uses ketamine lozenges. We schedule an integration session "
                   "within a few days.")
    assert ("ketamine", "setting", "integration_sessions") in facts
    assert not {f for f in facts if f[1] == "onset"}
    assert ("psychedelics", "regimen", "single_session") in _facts(
        "Psychedelics are given only once or a few times.")


def test_fewer_long_term_side_effects_than_is_a_lower_side_and_first_medicines_are_established():
    assert ("psychedelics", "side_effect", "lower_than", "ssri") in _compared(
        "Overall, psychedelics appear to cause fewer long-term side effects than SSRIs.")
    facts = _facts("SSRIs are usually the first medicines doctors try for depression. Common side effects include "
                   "weight gain and a flattening of emotions.")
    assert {("ssri", "evidence_level", "established_use"), ("ssri", "side_effect", "emotional_blunting")} <= facts


def test_a_negation_before_the_people_a_therapy_helps_denies_the_indication():
    claims = _claims("Antidepressants such as fluoxetine have not been shown to help people with anorexia.")
    assert ("traditional_antidepressants", "indication", "eating_disorder", True, False) in claims
    assert ("traditional_antidepressants", "indication", "eating_disorder", False, False) not in claims
    # what is denied to people with a condition is still the act, not the condition
    assert ("ketamine", "risk", "psychosis") in _facts("Ketamine is fast. We do not offer it to anyone with psychosis.")


def test_a_remission_is_what_the_therapy_treated():
    facts = _facts("MDMA-assisted therapy was tested in two trials. Most participants no longer had PTSD afterwards.")
    assert ("mdma", "indication", "ptsd") in facts
    assert ("mdma", "indication", "ptsd") in _facts("With MDMA, most no longer met the criteria for PTSD.")


def test_how_one_felt_the_next_day_is_no_onset_and_idioms_of_harms():
    facts = _facts("MDMA was hard on me. My jaw was tight, and the next day I was exhausted.")
    assert not {f for f in facts if f[1] == "onset"}
    assert ("ketamine", "onset", "days") in _facts("Ketamine helped. I felt better the next day.")
    facts = _facts("I took paroxetine for years. It flattened everything, and my sex life disappeared.")
    assert {("ssri", "side_effect", "emotional_blunting"), ("ssri", "side_effect", "sexual_dysfunction")} <= facts
    assert ("mdma", "risk", "cardiovascular_risk") in _facts("The FDA cited risks to the heart from MDMA.")


def test_a_paragraph_that_names_no_therapy_is_about_its_sections_heading():
    text = ("Ketamine, esketamine and ECT: what to try when antidepressants fail\n\n"
            "Ketamine infusions\n\nKetamine can lift depression within a day.\n\n"
            "During an infusion, people often feel detached or dizzy.\n\n"
            "Esketamine (Spravato)\n\nEsketamine is a nasal spray.\n\nSome people feel sleepy afterwards.")
    facts = _facts(text)
    assert {("ketamine", "side_effect", "dissociation"), ("esketamine", "side_effect", "sedation")} <= facts
    assert not {f for f in facts if f[0] == "traditional_antidepressants" and f[1] == "side_effect"}
    assert ("ketamine", "side_effect", "sedation") not in facts


def test_a_relative_clause_after_the_compared_side_is_about_it():
    facts = _facts("Ketamine works faster than SSRIs, which usually take four to eight weeks.")
    assert ("ssri", "onset", "weeks") in facts
    assert ("ketamine", "onset", "weeks") not in facts


def test_sessions_around_the_dose_and_the_infusions_own_length_are_no_regimen_or_onset():
    facts = _facts("Psilocybin was given in a single session after three preparation sessions.")
    assert ("psilocybin", "regimen", "multiple_sessions") not in facts
    assert ("psilocybin", "setting", "integration_sessions") in facts
    facts = _facts("Ketamine is given as an infusion into a vein over about 40 minutes. Many need top-up infusions.")
    assert ("ketamine", "onset", "minutes") not in facts
    assert ("ketamine", "regimen", "maintenance") in facts


def test_insurance_coverage_is_compared_as_cost():
    compared = _compared("Because it is approved, esketamine is more often covered by insurance than ketamine infusions are.")
    assert ("esketamine", "cost", "lower_than", "ketamine") in compared


def test_a_month_is_no_hedge_and_words_of_a_psilocybin_trip():
    claims = _claims("In May I went to a psilocybin retreat.")
    assert ("psilocybin", "setting", "retreat", False, False) in claims
    facts = _facts("I went to a retreat where truffles are legal. About an hour in the visuals started and I got "
                   "really anxious. On Lexapro I couldn't cry.")
    assert {("psilocybin", "setting", "retreat"), ("psilocybin", "side_effect", "anxiety")} <= facts
    assert ("ssri", "side_effect", "emotional_blunting") in facts
    assert not {f for f in facts if f[1] == "onset"}


def test_vitals_watched_over_are_no_cardiovascular_risk_and_the_sessions_timing_no_onset():
    facts = _facts("Ketamine therapy is supervised. A nurse checks your blood pressure and heart rate during each session, "
                   "and you rest until the effects have worn off, usually about two hours.")
    assert ("ketamine", "risk", "cardiovascular_risk") not in facts
    assert ("ketamine", "side_effect", "increased_blood_pressure") in facts    # the watching implies the rise
    assert ("ketamine", "setting", "medical_supervision") in facts
    assert not {f for f in facts if f[1] == "onset"}
    facts = _facts("Ketamine is given in six sessions, each followed by an integration session within a few days.")
    assert not {f for f in facts if f[1] == "onset"}


def test_idioms_of_resistance_standing_and_mildness():
    facts = _facts("Ketamine works quickly, even when other treatments have failed. Its side effects are usually mild.")
    assert {("ketamine", "indication", "treatment_resistant_depression"), ("ketamine", "tolerability", "well_tolerated")} <= facts
    assert ("ssri", "evidence_level", "established_use") in _facts("SSRIs are inexpensive, with decades of safety data.")


def test_symptoms_a_drug_causes_are_side_effects_and_idioms_of_what_is_known():
    facts = _facts("Please don't stop sertraline abruptly; stopping suddenly can cause dizziness and flu-like symptoms.")
    assert ("ssri", "side_effect", "dizziness") in facts
    facts = _facts("Sertraline has been studied in tens of thousands of people. Psilocybin is different. "
                   "We also know little about its safety.")
    assert {("ssri", "evidence_level", "established_use"), ("psilocybin", "risk", "unknown_long_term_safety")} <= facts


def test_a_treatment_named_first_as_the_problem_is_no_topic_when_another_is_named():
    text = ("In the emergency room, a new option\n\n"
            "Doctors have few tools that work quickly. Standard antidepressants can take a month or longer to help.\n\n"
            "Some hospitals now give a single low dose of ketamine.\n\n"
            "In a study, suicidal thoughts dropped within four hours.")
    facts = _facts(text)
    assert ("ketamine", "onset", "hours") in facts
    assert ("traditional_antidepressants", "onset", "hours") not in facts
    # named in the title, the standard treatment is the topic
    facts = _facts("Antidepressants: what to expect\n\nAntidepressants take weeks. Ketamine is faster.\n\n"
                   "Nausea is common at first.")
    assert ("traditional_antidepressants", "side_effect", "nausea") in facts


def test_it_opening_a_paragraph_is_the_pages_therapy_not_one_named_in_passing_before():
    text = ("Spravato week 3 update\n\nI'm three weeks into Spravato.\n\n"
            "Background: I tried five SSRIs. Sertraline killed my sex drive.\n\n"
            "How it works at my clinic: twice a week, and a nurse takes your blood pressure.\n\n"
            "Some nausea too, I take an anti-nausea pill before now. Insurance approved it after a prior authorization.")
    facts = _facts(text)
    assert {("esketamine", "regimen", "multiple_sessions"), ("esketamine", "setting", "medical_supervision"),
            ("esketamine", "side_effect", "nausea"), ("esketamine", "legal_status", "prescription")} <= facts
    assert not {f for f in facts if f[0] == "ssri" and f[1] != "side_effect"}
    assert ("esketamine", "route", "oral") not in facts           # another medicine's pill
    # within a paragraph, "it" still points back to the therapy just named
    assert ("ssri", "side_effect", "weight_gain") in _facts("Ketamine helped.\n\nI tried Zoloft. It made me gain weight.")


def test_therapy_before_the_bans_is_mid_century_research_and_a_single_ceremony_a_single_session():
    facts = _facts("MDMA was made in 1912. In the late 1970s some psychotherapists used it to help patients open up.")
    assert ("mdma", "history", "mid_century_research") in facts
    assert ("dmt", "regimen", "single_session") in _facts("A single ceremony of ayahuasca may ease depression.")


def test_maintenance_of_anesthesia_is_no_regimen_and_feeling_better_for_weeks_a_duration():
    facts = _facts("Ketamine is used for induction and maintenance of anesthesia.")
    assert ("ketamine", "regimen", "maintenance") not in facts
    facts = _facts("Psilocybin sessions are legal in Oregon. Most clients report feeling better for weeks or months afterwards.")
    assert {("psilocybin", "duration", "weeks"), ("psilocybin", "duration", "months")} <= facts


def test_low_mood_after_a_drug_is_no_indication():
    assert ("mdma", "indication", "depression") not in _facts("MDMA is a party drug. Days after use, some users report low mood.")


def test_more_likely_than_compares_side_effects_and_far_more_than_efficacy():
    compared = _compared("Esketamine works fast. SSRIs are more likely than esketamine to cause weight gain.")
    assert ("ssri", "side_effect", "higher_than", "esketamine") in compared
    assert ("mdma", "efficacy", "higher_than", "ssri") in _compared("The MDMA sessions helped me far more than years of paroxetine did.")


def test_benefits_that_emerge_studies_only_and_a_one_to_two_week_schedule():
    facts = _facts("Psilocybin's benefits tend to emerge over several days. It is only available in studies.")
    assert {("psilocybin", "onset", "days"), ("psilocybin", "legal_status", "investigational")} <= facts
    assert ("esketamine", "regimen", "maintenance") in _facts("Esketamine is given twice a week, then every one to two weeks.")


def test_a_tablet_against_the_cheek_is_sublingual_and_a_cuff_or_a_dose_size_is_no_claim():
    facts = _facts("At-home ketamine: they mail you tablets and a blood pressure cuff. You put the tablets between "
                   "your cheek and gum. Now I do a session every 10 days to keep it going.")
    assert {("ketamine", "route", "sublingual"), ("ketamine", "regimen", "maintenance")} <= facts
    assert ("ketamine", "side_effect", "increased_blood_pressure") not in facts
    facts = _facts("Microdosing LSD means taking about a tenth of a recreational dose. Some say it helped them more than antidepressants.")
    assert ("lsd", "risk", "recreational_use") not in facts
    assert ("lsd", "efficacy", "higher_than", "traditional_antidepressants") in _compared(
        "LSD microdosing is popular. Some say it helped them more than antidepressants.")


def test_a_restrictive_relative_clause_is_its_therapys_and_a_class_in_apposition_hands_it_on():
    facts = _facts("Ketamine works faster than SSRIs that take weeks.")
    assert ("ssri", "onset", "weeks") in facts and ("ketamine", "onset", "weeks") not in facts
    facts = _facts("The brew contains DMT, a powerful psychedelic that acts on serotonin receptors.")
    assert ("dmt", "mechanism", "serotonin_modulation") in facts
    assert ("psychedelics", "mechanism", "serotonin_modulation") not in facts


def test_a_harms_symptoms_a_trade_and_a_drugs_high_are_no_indication_or_onset():
    facts = _facts("Ketamine can ease depression. Addiction specialists warn it can damage the bladder, causing pain.")
    assert not {f for f in facts if f[1] == "indication" and f[2] in ("pain", "substance_use_disorder")}
    compared = _compared("Unlike SSRIs, ketamine produces an immediate high, and some patients start to crave it.")
    assert ("ketamine", "onset", "faster_than", "ssri") not in compared
    assert ("ketamine", "risk", "higher_than", "ssri") in compared
    assert ("psilocybin", "route", "oral") in _facts("Psilocybin effects begin an hour after the mushrooms are eaten.")


def test_an_apposition_after_a_complement_is_the_complements_and_its_that_clause_the_heads():
    facts = _facts("Esketamine was approved in 2019. It is a form of ketamine, an anesthetic used for decades.")
    assert ("ketamine", "drug_class", "dissociative_anesthetic") in facts
    assert ("esketamine", "drug_class", "dissociative_anesthetic") not in facts
    facts = _facts("Esketamine is a form of ketamine that is sprayed into the nose.")
    assert ("esketamine", "route", "intranasal") in facts and ("ketamine", "route", "intranasal") not in facts


def test_stopping_a_drug_takes_no_onset_and_words_of_an_ayahuasca_night():
    facts = _facts("I was on Prozac for years, just kind of gray. Getting off it took three months of tapering.")
    assert ("ssri", "side_effect", "emotional_blunting") in facts
    assert not {f for f in facts if f[1] == "onset"}
    assert ("dmt", "side_effect", "vomiting") in _facts("At the ayahuasca ceremony I purged a lot.")
    assert ("esketamine", "duration", "weeks") in _facts("With esketamine, benefits continued through four weeks.")


def test_the_time_since_a_treatment_with_the_benefit_holding_is_its_duration():
    assert ("mdma", "duration", "months") in _facts("MDMA therapy helped. It's been ten months and the nightmares haven't come back.")
    assert ("mdma", "duration", "long_lasting") in _facts("MDMA therapy helped. It's been two years, and I still feel fine.")


def test_a_benefit_for_weeks_or_months_lasts_that_long_but_a_medicine_taken_that_long_does_not():
    assert {("psilocybin", "duration", "weeks"), ("psilocybin", "duration", "months")} <= _facts(
        "One psilocybin session eased severe depression for weeks or months.")
    facts = _facts("I was on Prozac (fluoxetine) for about three years. Tapering off gave me brain zaps for weeks.")
    assert not {f for f in facts if f[1] == "duration"}


def test_cant_finish_in_bed_is_a_harm_not_a_denial():
    assert ("ssri", "side_effect", "sexual_dysfunction") in _facts("On Zoloft I can't finish in bed.")
    assert ("ssri", "side_effect", "sexual_dysfunction") in _facts("SSRIs can cause difficulty reaching orgasm.")


def test_a_trial_setting_therapies_against_each_other_is_evidence_about_each():
    facts = _facts("A six-week trial comparing psilocybin with escitalopram found similar results.")
    assert {("psilocybin", "evidence_level", "clinical_trials"), ("ssri", "evidence_level", "clinical_trials")} <= facts
    # a comparison in a sentence about one therapy's trials gives the other none
    facts = _facts("In trials, psilocybin's benefits lasted longer than ketamine's.")
    assert ("ketamine", "evidence_level", "clinical_trials") not in facts


def test_a_family_history_names_who_is_at_risk_and_medications_without_success_resistance():
    facts = _facts("Psychedelics can trigger psychosis in people with a family history of schizophrenia or bipolar disorder.")
    assert ("psychedelics", "risk", "psychosis") in facts
    assert ("psychedelics", "indication", "bipolar_depression") not in facts
    assert ("ketamine", "indication", "treatment_resistant_depression") in _facts(
        "Ketamine can relieve depression, even in people who have tried many medications without success.")


def test_each_comparative_is_measured_against_what_its_own_than_names():
    compared = _compared("Ketamine works much faster than SSRIs, but its effects are shorter-lived than those of psilocybin.")
    assert compared == {("ketamine", "onset", "faster_than", "ssri"), ("ketamine", "duration", "shorter_than", "psilocybin")}


def test_than_either_sets_the_side_against_the_therapies_named_before():
    compared = _compared("Psilocybin needs fewer sessions than ketamine. SSRIs remain cheaper and easier to get than either.")
    assert {("ssri", "cost", "lower_than", "psilocybin"), ("ssri", "cost", "lower_than", "ketamine"),
            ("ssri", "accessibility", "higher_than", "psilocybin"),
            ("ssri", "accessibility", "higher_than", "ketamine")} <= compared
    # not an anaphor where it does not follow the marker
    assert not _compared("SSRIs are cheaper than ketamine. Either way, talk to your doctor.") - {
        ("ssri", "cost", "lower_than", "ketamine")}


def test_the_hours_a_drug_takes_to_wear_off_are_no_transient_benefit():
    text = ("Psilocybin is given in a clinic, where a therapist stays with the patient for the six hours the drug "
            "takes to wear off.")
    assert not {f for f in _facts(text) if f[1] == "duration"}
    assert ("ketamine", "duration", "transient") in _facts("The relief from ketamine tends to wear off after a week.")


def test_suicidal_thoughts_some_patients_reported_are_a_harm_not_an_indication():
    assert ("psilocybin", "indication", "suicidal_ideation") not in _facts(
        "In the psilocybin trial, a small number of patients reported suicidal thoughts.")
    assert ("ketamine", "indication", "suicidal_ideation") in _facts("Ketamine can quickly reduce suicidal thoughts.")


def test_an_anesthetic_past_in_the_1960s_is_no_mid_century_research():
    facts = _facts("Ketamine was developed as an anesthetic in the 1960s.")
    assert ("ketamine", "history", "anesthetic_use") in facts
    assert ("ketamine", "history", "mid_century_research") not in facts
    assert ("lsd", "history", "mid_century_research") in _facts("LSD was studied widely in the 1950s and 1960s.")


def test_given_at_a_clinic_is_supervised_but_working_at_one_is_not():
    assert ("ketamine", "setting", "medical_supervision") in _facts(
        "Ketamine infusions are given at specialized clinics.")
    assert ("ketamine", "setting", "medical_supervision") in _facts("I tried IV ketamine at a private clinic.")
    assert ("ketamine", "setting", "medical_supervision") not in _facts(
        'Ketamine often works after one infusion, said a psychiatrist at a university clinic.')


def test_pills_and_noses_name_routes_and_the_first_medicine_prescribed_is_established():
    assert ("traditional_antidepressants", "route", "oral") in _facts(
        "Daily antidepressant pills can take weeks to help.")
    assert ("esketamine", "route", "intranasal") in _facts("With Spravato you spray it up your nose yourself.")
    assert ("ssri", "evidence_level", "established_use") in _facts(
        "SSRIs are usually the first medicine a doctor prescribes for depression.")
    assert ("psilocybin", "drug_class", "serotonergic_psychedelic") in _facts(
        "Psilocybin, the psychedelic ingredient in magic mushrooms, eased depression.")


def test_compulsive_use_serious_illness_and_how_you_see():
    assert ("mdma", "risk", "dependence") in _facts("Some MDMA users develop a pattern of compulsive use.")
    facts = _facts("Psilocybin may ease anxiety in people facing a serious illness. It can change how you see colors.")
    assert {("psilocybin", "indication", "end_of_life_distress"), ("psilocybin", "side_effect", "perceptual_changes")} <= facts


def test_the_people_of_a_trial_stand_for_all_its_arms():
    facts = _facts("Patients were assigned to two doses of psilocybin or to daily escitalopram. "
                   "All patients received psychological support.")
    assert {("psilocybin", "setting", "psychotherapy_support"), ("ssri", "setting", "psychotherapy_support")} <= facts


def test_felt_effects_fading_are_no_transient_benefit_and_testing_is_ongoing_research():
    facts = _facts("Most people feel detached during a ketamine infusion; these feelings fade shortly after it ends.")
    assert ("ketamine", "side_effect", "dissociation") in facts
    assert ("ketamine", "duration", "transient") not in facts
    assert ("ketamine", "duration", "transient") in _facts("The relief from ketamine fades within a week.")
    assert ("lsd", "evidence_level", "ongoing_research") in _facts(
        "A Swiss company is testing a single dose of LSD for anxiety.")


def test_a_title_is_about_its_therapy_before_its_foil_and_a_ketamine_clinic_gives_ketamine():
    facts = _facts("Effexor for six years, now trying ketamine\n\nPosted by northwind\n\nI took venlafaxine for years. It did little.\n\n"
                   "The first session was strange. The drip went through an IV in my arm.")
    assert ("ketamine", "route", "intravenous") in facts and ("snri", "route", "intravenous") not in facts
    assert ("ketamine", "setting", "medical_supervision") in _facts("My psychiatrist referred me to a ketamine clinic.")


def test_an_infusions_length_is_no_onset_and_a_missed_dose_is_no_single_session():
    facts = _facts("Ketamine, given as a slow infusion over 40 minutes, can lift depression within hours.")
    assert ("ketamine", "onset", "hours") in facts and ("ketamine", "onset", "minutes") not in facts
    assert ("ssri", "regimen", "single_session") not in _facts("If I missed a single dose of sertraline I felt dizzy.")
    assert ("psilocybin", "regimen", "single_session") in _facts("Psilocybin was given as a single dose.")


def test_commas_alone_join_no_therapies_and_a_list_may_go_on_past_its_last_therapy():
    facts = _facts("After escitalopram, psilocybin caused nausea.")
    assert ("psilocybin", "side_effect", "nausea") in facts and ("ssri", "side_effect", "nausea") not in facts
    facts = _facts("Colorado decriminalized psilocybin, DMT, ibogaine and mescaline.")
    assert {("psilocybin", "legal_status", "decriminalized"), ("dmt", "legal_status", "decriminalized")} <= facts


def test_a_value_after_than_or_fewer_belongs_to_the_side_measured_against():
    facts = _facts("Ketamine is more effective than daily pills.")
    assert ("ketamine", "regimen", "daily") not in facts and ("ketamine", "route", "oral") not in facts
    assert ("ketamine", "duration", "weeks") in _facts("The relief from ketamine lasts longer than two weeks.")
    extraction = extract(docs_frame("In a trial, psilocybin caused fewer sexual side effects than the SSRI."))
    facts = {(r["subject"], r["attribute"], r["value"]) for r in extraction.claims.iter_rows(named=True)}
    assert ("ssri", "side_effect", "sexual_dysfunction") in facts
    assert ("psilocybin", "side_effect", "sexual_dysfunction") not in facts
    assert extraction.comparisons.select("subject", "attribute", "relation", "object").rows() == [
        ("psilocybin", "side_effect", "lower_than", "ssri")]


def test_insurance_cover_set_against_paying_out_of_pocket_compares_cost():
    comparisons = extract(docs_frame("Most insurance plans cover esketamine, while IV ketamine is usually paid out of "
                                     "pocket.")).comparisons
    assert comparisons.select("subject", "attribute", "relation", "object").rows() == [
        ("ketamine", "cost", "higher_than", "esketamine")]


def test_staying_well_for_a_year_is_lasting_benefit_and_an_anesthetic_in_use_since_is_its_history():
    assert ("psilocybin", "duration", "long_lasting") in _facts(
        "Some people stay well for a year or longer after one dose of psilocybin.")
    facts = _facts("Ketamine, a dissociative anesthetic in clinical use since the 1970s, is now used for depression.")
    assert ("ketamine", "history", "anesthetic_use") in facts
    assert ("ketamine", "history", "anesthetic_use") not in _facts("Ketamine is a dissociative anesthetic.")


def test_a_contrast_opening_with_a_pronoun_sets_a_therapy_against_itself():
    text = ("Why psilocybin?\n\nCurrent antidepressants help many people, but they often need to be taken for weeks "
            "before they work.")
    assert extract(docs_frame(text)).comparisons.is_empty()
    assert ("traditional_antidepressants", "onset", "weeks") in _facts(text)


def test_anything_else_tried_stands_for_every_therapy_named_before():
    text = ("I took Lexapro for years, then Cymbalta. Last month I started Spravato. "
            "Honestly it worked faster than anything else I've tried.")
    comparisons = extract(docs_frame(text)).comparisons
    assert set(comparisons.select("subject", "attribute", "relation", "object").rows()) == {
        ("esketamine", "onset", "faster_than", "ssri"), ("esketamine", "onset", "faster_than", "snri")}


def test_a_worsened_thought_is_no_indication_and_unlikeness_is_no_denial():
    facts = _facts("Psilocybin can cause headache. Rarely, it may worsen suicidal thoughts.")
    assert ("psilocybin", "indication", "suicidal_ideation") not in facts
    facts = _facts("Spravato is not the same as the ketamine infusions at the clinics.")
    assert ("ketamine", "route", "intravenous") in facts
    assert ("esketamine", "legal_status", "prescription") in _facts(
        "My psychiatrist finally got my insurance to approve Spravato.")


def test_less_likely_to_be_misused_is_the_lower_risk_not_a_risk_carried():
    extraction = extract(docs_frame("MDMA carries a greater risk of misuse than psilocybin. "
                                    "Psilocybin is less likely to be misused, but it more often produces fear."))
    facts = {(r["subject"], r["attribute"], r["value"]) for r in extraction.claims.iter_rows(named=True)}
    assert ("psilocybin", "risk", "abuse_potential") not in facts and ("mdma", "risk", "abuse_potential") in facts
    assert ("psilocybin", "risk", "lower_than", "mdma") in set(
        extraction.comparisons.select("subject", "attribute", "relation", "object").rows())


def test_a_small_number_of_sessions_is_several_and_biweekly_sessions_maintain():
    facts = _facts("Both MDMA and psilocybin are given in a small number of supervised sessions.")
    assert {("mdma", "regimen", "multiple_sessions"), ("psilocybin", "regimen", "multiple_sessions")} <= facts
    assert ("esketamine", "regimen", "maintenance") in _facts(
        "Spravato treatment starts with two sessions a week, followed by biweekly sessions.")


def test_a_list_after_fewer_is_the_other_sides_whole_list():
    facts = _facts("In the trial, MDMA caused less insomnia, weight gain and emotional blunting than paroxetine.")
    assert {("ssri", "side_effect", v) for v in ("insomnia", "weight_gain", "emotional_blunting")} <= facts
    assert not any(f[0] == "mdma" and f[1] == "side_effect" for f in facts)
    facts = _facts("People on psilocybin reported fewer side effects such as headache or sexual dysfunction than "
                   "those on sertraline.")
    assert {("ssri", "side_effect", "headache"), ("ssri", "side_effect", "sexual_dysfunction")} <= facts


def test_a_harm_denied_of_the_lower_side_is_the_other_sides():
    facts = _facts("Unlike sertraline, esketamine does not cause weight gain.")
    assert ("ssri", "side_effect", "weight_gain") in facts
    # a denial after the comparison is the subject's alone
    facts = _facts("Ketamine caused fewer headaches than the SSRIs and did not cause insomnia.")
    assert ("ssri", "side_effect", "headache") in facts and ("ssri", "side_effect", "insomnia") not in facts


def test_widely_prescribed_is_a_prescription_medicine_in_established_use():
    facts = _facts("Sertraline is one of the most commonly prescribed antidepressants.")
    assert {("ssri", "legal_status", "prescription"), ("ssri", "evidence_level", "established_use")} <= facts


def test_a_worded_comparative_outweighs_the_other_sides_values():
    assert ("mdma", "onset", "faster_than", "ssri") in _compared(
        "Paroxetine can start to help within days, but MDMA-assisted therapy appears to act more quickly.")


def test_either_before_a_pair_coordinates_it_and_points_back_to_nothing():
    compared = _compared("LSD trips last many hours. Escitalopram works slower than either ketamine or psilocybin.")
    assert compared == {("ssri", "onset", "slower_than", "ketamine"), ("ssri", "onset", "slower_than", "psilocybin")}


def test_neither_in_a_comparison_counts_the_two_therapies_named_last():
    compared = _compared("IV ketamine is given in six infusions. Spravato is sprayed twice a week. "
                         "Compared with SSRIs, neither causes sexual side effects.")
    assert {("ketamine", "side_effect", "lower_than", "ssri"), ("esketamine", "side_effect", "lower_than", "ssri")} <= compared


def test_a_trials_people_are_treated_by_each_arm():
    facts = _facts("In a randomised trial, 80 adults with PTSD were randomly assigned to MDMA or paroxetine.")
    facts |= _facts("A phase 2 study comparing psilocybin with escitalopram enrolled 59 adults with major depressive disorder.")
    assert {("mdma", "indication", "ptsd"), ("ssri", "indication", "ptsd"),
            ("psilocybin", "indication", "major_depressive_disorder"),
            ("ssri", "indication", "major_depressive_disorder")} <= facts
    # a trial the sentence denies has no arms
    assert ("ssri", "indication", "depression") not in _facts(
        "Compared with SSRIs, psilocybin is promising, but no large trial has shown that it treats depression.")


def test_what_than_names_after_an_example_cue_is_no_example():
    assert ("psilocybin", "side_effect", "lower_than", "ssri") in _compared(
        "Psilocybin caused fewer side effects, including headache, than sertraline.")
    # ... but a therapy named as an example of what "than" names still is one
    assert _compared("Ketamine works faster than antidepressants such as sertraline.") == {
        ("ketamine", "onset", "faster_than", "traditional_antidepressants")}


def test_one_or_two_sessions_named_by_their_therapy_are_one_or_several():
    facts = _facts("Patients had one or two ketamine infusions before the benefit faded.")
    assert {("ketamine", "regimen", "single_session"), ("ketamine", "regimen", "multiple_sessions")} <= facts
    assert ("psilocybin", "regimen", "single_session") not in _facts("Six psilocybin sessions were given.")


def test_a_therapy_taken_in_conjunction_with_another_is_the_head():
    facts = _facts("Esketamine is approved in conjunction with an oral antidepressant, and for adults with suicidal ideation.")
    assert ("esketamine", "indication", "suicidal_ideation") in facts
    assert ("traditional_antidepressants", "indication", "suicidal_ideation") not in facts
    assert ("traditional_antidepressants", "route", "oral") in facts


def test_a_trial_arm_marker_the_sentence_denies_joins_no_arms():
    facts = _facts("In a randomised trial, psilocybin helped adults with anorexia; the trial was not compared with "
                   "fluoxetine.")
    assert ("psilocybin", "indication", "eating_disorder") in facts
    assert ("ssri", "indication", "eating_disorder") not in facts
    assert ("ssri", "indication", "eating_disorder") in _facts(
        "In a randomised trial, psilocybin helped adults with anorexia, compared with fluoxetine.")


def test_stronger_results_are_higher_efficacy_and_moving_colours_a_perceptual_change():
    assert ("mdma", "efficacy", "higher_than", "ssri") in _compared(
        "MDMA-assisted therapy was tested in two trials. Its results were stronger than those of paroxetine.")
    assert ("lsd", "side_effect", "perceptual_changes") in _facts("On LSD I saw the colours moving on the wall.")


def test_a_form_stands_for_the_therapy_given_in_it_not_the_topic_carried_over():
    text = ("I did four ketamine infusions last year. Lexapro was cheaper. I had a headache after the third infusion.")
    facts = _facts(text)
    assert ("ketamine", "side_effect", "headache") in facts
    assert not any(f[0] == "ssri" and f[1] in ("side_effect", "route") for f in facts)
    # a pill is no such form: most therapies are swallowed
    assert ("ssri", "route", "oral") in _facts("Psilocybin comes as a capsule. Sertraline is cheaper. It is a daily tablet.")


def test_how_long_i_tried_a_medicine_is_no_benefits_span():
    assert ("ssri", "duration", "long_lasting") not in _facts("I tried Lexapro for three years.")
    assert ("psilocybin", "duration", "long_lasting") in _facts(
        "I tried psilocybin once and the benefits lasted for two years.")


def test_an_approval_sought_is_not_had_but_the_trial_after_it_is_under_way():
    claims = _claims("The company plans to file for FDA approval of MDMA after its second trial reads out next year.")
    assert ("mdma", "legal_status", "fda_approved", True, False) in claims
    assert ("mdma", "evidence_level", "ongoing_research", False, False) in claims


def test_supervised_sessions_counted_are_supervised_and_one_or_two_may_be_one():
    facts = _facts("In studies, one or two supervised sessions of psilocybin eased symptoms.")
    assert {("psilocybin", "regimen", "single_session"), ("psilocybin", "regimen", "multiple_sessions"),
            ("psilocybin", "setting", "medical_supervision"), ("psilocybin", "evidence_level", "clinical_trials")} <= facts
    assert ("psilocybin", "setting", "medical_supervision") not in _facts(
        "Psilocybin is given in two supervised sessions with trained therapists.")


def test_a_relative_clause_after_what_than_names_sets_that_sides_direction():
    compared = _compared("A retreat with ayahuasca costs $2,000, and a psilocybin session costs far more than a "
                         "generic antidepressant, which can cost less than $20 a month.")
    assert ("psilocybin", "cost", "higher_than", "traditional_antidepressants") in compared
    assert not any(c[0] == "traditional_antidepressants" for c in compared)
    assert ("esketamine", "cost", "higher_than", "traditional_antidepressants") in _compared(
        "Spravato is far more expensive than a generic antidepressant.")


def test_head_to_head_trials_under_way_naming_none_are_of_the_therapies_named_last():
    facts = _facts("Esketamine is easier to get covered, but IV ketamine may work better. More head-to-head trials "
                   "are under way.")
    assert {("ketamine", "evidence_level", "ongoing_research"), ("esketamine", "evidence_level", "ongoing_research")} <= facts


def test_covered_by_insurance_more_often_is_a_lower_cost_not_more_side_effects():
    compared = _compared("Esketamine is covered by insurance more often, while IV ketamine is paid for out of pocket.")
    assert ("ketamine", "cost", "higher_than", "esketamine") in compared
    assert not any(c[1] == "side_effect" for c in compared)


def test_a_good_first_option_is_established_and_professional_support_is_support():
    assert ("traditional_antidepressants", "evidence_level", "established_use") in _facts(
        "Antidepressants remain a good first option for many people.")
    assert ("psilocybin", "setting", "psychotherapy_support") in _facts(
        "In the trial, psilocybin was given with professional support.")
