"""Rules that use the shipped models (py3langid, alt-profanity-check, wordfreq)."""

from masthead.moderation.guidelines import (
    CheckContext,
    Decision,
    ReasonCode,
    check_batch,
    check_comment,
)
from masthead.moderation.guidelines.rules.abuse import AbuseRule
from masthead.moderation.guidelines.rules.language import LanguageRule
from masthead.moderation.guidelines.rules.personal import PersonalAttackRule


def test_english_with_indian_words_passes(ctx):
    for t in [
        "Modi ji has promised 5 crore for the new hospital in our district.",
        "The babu in the tehsil office asked for two lakh rupees, which is shocking.",
    ]:
        r = LanguageRule().check(t, ctx)
        assert not r.fired, (t, r.details)
        assert r.details["language"] == "en"
        assert check_comment(t).decision is Decision.PUBLISH


def test_hinglish_and_devanagari_rejected(ctx):
    r = LanguageRule().check("Yeh sarkar kuch nahi kar rahi hai, sab log pareshan hain.", ctx)
    assert r.code is ReasonCode.NOT_ENGLISH and r.decision is Decision.REJECT
    assert r.details["language"] == "hi-Latn" and r.details["confidence"] >= 0.8
    r = LanguageRule().check("सरकार को इस मामले में जल्दी फैसला करना चाहिए।", ctx)
    assert r.decision is Decision.REJECT and r.details["language"] == "hi"
    r = LanguageRule().check("Le gouvernement doit publier le budget avant le vote.", ctx)
    assert r.decision is Decision.REJECT


def test_short_text_not_rejected_on_language_alone(ctx):
    r = LanguageRule().check("Bahut accha", ctx)
    assert r.decision < Decision.REJECT


def test_abuse_fires_and_holds(ctx):
    r = AbuseRule().check("You are a stupid idiot and a disgusting liar.", ctx)
    assert r.code is ReasonCode.TOXIC and r.decision is Decision.REJECT
    assert {s.text for s in r.spans} >= {"stupid", "idiot"}


def test_quoted_word_and_scunthorpe_pass(ctx):
    for t in [
        "The word 'idiot' in his speech was unfair to the farmers.",
        "I grew up near Scunthorpe and we assess the cockpit design every year.",
    ]:
        assert not AbuseRule().check(t, ctx).fired, t
        assert check_comment(t).decision is Decision.PUBLISH, t


def test_personal_attack_targets():
    ctx = CheckContext(thread_names=["Reader5"], story_author_names=["Asha Rao"])
    for t in [
        "you are an idiot",
        "@Reader5 you moron",
        "Reader5 is a clown and a liar",
        "Asha Rao is an idiot",
    ]:
        r = PersonalAttackRule().check(t, ctx)
        assert r.code is ReasonCode.PERSONAL_ATTACK and r.decision is Decision.HOLD, t
        assert r.spans and all(t[s.start : s.end] == s.text for s in r.spans)
    assert not PersonalAttackRule().check("The policy is stupid, in my view.", ctx).fired


def test_batch_equals_single():
    texts = [
        "Modi ji has promised 5 crore for the new hospital in our district.",
        "you are an idiot",
        "",
        "Yeh sarkar kuch nahi kar rahi hai, sab log pareshan hain.",
        "Nice",
        "Call me on +91 98765 43210 about the story please.",
    ]
    ctxs = [
        CheckContext(),
        CheckContext(thread_names=["X"]),
        None,
        CheckContext(),
        CheckContext(),
        CheckContext(),
    ]
    batch = check_batch(texts, ctxs)
    single = [check_comment(t, c) for t, c in zip(texts, ctxs, strict=True)]
    assert [v.to_dict() for v in batch] == [v.to_dict() for v in single]


def test_verdict_serialises():
    import json

    v = check_comment("You are a stupid idiot, email me at a@b.com")
    d = json.loads(json.dumps(v.to_dict()))
    assert d["decision"] == "reject" and "TOXIC" in d["reasons"] and d["message"]
