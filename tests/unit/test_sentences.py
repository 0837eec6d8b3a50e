from tests.conftest import docs_frame
from transforms.sentences import split_sentences


def _texts(text: str) -> list[str]:
    return split_sentences(docs_frame(text))["text"].to_list()


def test_offsets_point_into_the_text():
    text = "Heading without stop\n\nKetamine works fast. It acts on NMDA receptors! Does it last?\n  • Bullet item here"
    sentences = split_sentences(docs_frame(text))
    for row in sentences.iter_rows(named=True):
        assert text[row["char_start"]:row["char_end"]] == row["text"]
    assert sentences["text"].to_list() == ["Heading without stop", "Ketamine works fast.", "It acts on NMDA receptors!",
                                           "Does it last?", "Bullet item here"]
    assert sentences["is_question"].to_list() == [False, False, False, True, False]


def test_abbreviations_and_list_numbers_do_not_split():
    assert _texts("Approved in the U.S. by the FDA, e.g. Spravato. Dr. Smith agreed.") == [
        "Approved in the U.S. by the FDA, e.g. Spravato.", "Dr. Smith agreed."]
    assert _texts("  1. Rapid Onset: Ketamine acts fast.\n  2. Safety: It is safe.") == [
        "Rapid Onset: Ketamine acts fast.", "Safety: It is safe."]


def test_a_number_abbreviation_holds_only_before_a_number():
    """"No." before a number is an abbreviation; an answer "No." ends its sentence (which would
    otherwise negate the next)."""
    assert _texts("See trial No. 3 and pp. 12-14. No. Psilocybin remains illegal.") == [
        "See trial No. 3 and pp. 12-14.", "No.", "Psilocybin remains illegal."]


def test_lower_case_after_stop_does_not_split_and_decimals_stay():
    assert _texts("Doses of 0.5 mg/kg are used. approx. half respond.") == [
        "Doses of 0.5 mg/kg are used. approx. half respond."]


def test_an_abbreviation_starts_a_word():
    """"al." protects "et al." only: the end of "a clinical trial." still ends its sentence."""
    assert _texts("It is given only within a clinical trial. Early results suggest relief. Smith et al. agree.") == [
        "It is given only within a clinical trial.", "Early results suggest relief.", "Smith et al. agree."]


def test_a_text_written_in_lower_case_splits_before_lower_case():
    text = ("so i was on prozac for years. it kept me functional. i went to a retreat last spring. "
            "the brew is rough. DMT is the active ingredient.")
    assert _texts(text) == ["so i was on prozac for years.", "it kept me functional.", "i went to a retreat last spring.",
                            "the brew is rough.", "DMT is the active ingredient."]
