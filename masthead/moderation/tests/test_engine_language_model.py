"""The shipped romanized-Hindi model: reproducible from its script, and it
separates hand-written Hinglish from (Indian) English."""

import gzip
import json

import pytest

from masthead.moderation.guidelines import CheckContext, Decision, ReasonCode
from masthead.moderation.guidelines.models import romanized_hindi_model
from masthead.moderation.guidelines.romanized import (
    RomanizedHindiModel,
    ngrams,
    words,
)
from masthead.moderation.guidelines.rules.language import LanguageRule, detect

from .conftest import shared_file

HINGLISH = [
    "Sarkar ko is baare mein jaldi faisla karna chahiye",
    "Yeh log kabhi sudhrenge nahi, sab paisa kha jaate hain",
    "Mujhe lagta hai ki is baar chunav mein badlav aayega",
    "Aap log sirf baatein karte ho, kaam kuch nahi hota",
    "Bhai sahab ye khabar bilkul galat hai, pehle padh lo",
]
ENGLISH = [
    "The government should decide on this matter quickly",
    "Modi ji promised two crore jobs but the numbers tell another story",
    "Our panchayat finally got a proper road after five years of dharna",
    "The Lok Sabha debate on the budget was disappointing for farmers",
    "Kejriwal and Sharma both spoke at the rally in Delhi yesterday",
]


def test_ngrams_match_char_wb_padding():
    grams = list(ngrams(["ab"], 3))
    assert grams == ["a", "b", " a", "ab", "b ", " ab", "ab "]
    assert words("Don't STOP-now 42x") == ["don", "t", "stop", "now", "x"]


def test_shipped_model_scores_hand_written_sentences():
    model = romanized_hindi_model()
    for t in HINGLISH:
        score, known = model.score(words(t))
        assert score > 0.4 and known > 20, (t, score)
    for t in ENGLISH:
        score, _ = model.score(words(t))
        assert score < 0.0, (t, score)


def test_language_rule_uses_model(ctx):
    for t in HINGLISH:
        r = LanguageRule().check(t, ctx)
        assert r.decision is Decision.REJECT and r.code is ReasonCode.NOT_ENGLISH, t
        assert r.details["language"] == "hi-Latn"
    for t in ENGLISH:
        r = LanguageRule().check(t, ctx)
        assert not r.fired, (t, r.details)


def test_all_caps_english_is_english():
    lang, _conf, _ = detect(
        "WHY DON'T THEY PUBLISH THE FULL REPORT BEFORE THE ELECTION IN THE STATE"
    )
    assert lang == "en"


def test_bad_model_file_is_refused():
    with pytest.raises(ValueError):
        RomanizedHindiModel.from_bytes(gzip.compress(json.dumps({"x": 1}).encode()))


def test_shipped_model_matches_training_script():
    """Rebuilding the model from the shared data gives the shipped bytes."""
    shared_file("langid", "lingua_sentences_hi.txt")
    shared_file("langid", "lingua_sentences_mr.txt")
    shared_file("langid", "lingua_sentences_en.txt")
    shared_file("toxicity", "davidson_labeled_data.csv")
    pytest.importorskip("indic_transliteration", reason="training needs indic-transliteration")
    from masthead.moderation.training import train_language

    assert train_language.serialise(train_language.train()) == (train_language.OUT.read_bytes())


def test_context_default_thresholds_are_ordered():
    ctx = CheckContext()
    assert 0 < ctx.abuse_hold_score < ctx.abuse_reject_score <= 1
