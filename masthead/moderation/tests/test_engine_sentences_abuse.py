"""Round-2 behaviour of the sentences and abuse rules."""

from masthead.moderation.guidelines import (
    CheckContext,
    Decision,
    ReasonCode,
    check_comment,
)
from masthead.moderation.guidelines.rules.abuse import AbuseRule
from masthead.moderation.guidelines.rules.sentences import SentencesRule


def test_shouting_is_held_not_rejected(ctx):
    r = SentencesRule().check("THE COUNCIL MUST PUBLISH THE BUDGET BEFORE THE VOTE.", ctx)
    assert r.decision is Decision.HOLD and r.code is ReasonCode.NOT_SENTENCES
    assert r.details["kind"] == "shouting" and "capital" in r.message
    v = check_comment("THE COUNCIL MUST PUBLISH THE BUDGET BEFORE THE VOTE.")
    assert v.decision is Decision.HOLD


def test_text_speak_still_rejected(ctx):
    r = SentencesRule().check("u r gr8 lol", ctx)
    assert r.decision is Decision.REJECT


def test_mild_rudeness_is_held_for_a_moderator():
    r = AbuseRule().check("This minister is a clown and the policy is nonsense.", CheckContext())
    assert r.code is ReasonCode.TOXIC and r.decision is Decision.HOLD


def test_thresholds_follow_context():
    text = "This minister is a clown and the policy is nonsense."
    strict = CheckContext(abuse_hold_score=0.05, abuse_reject_score=0.2)
    assert AbuseRule().check(text, strict).decision is Decision.REJECT
    lax = CheckContext(abuse_hold_score=0.99, abuse_reject_score=0.999)
    assert AbuseRule().check(text, lax).decision is Decision.PUBLISH


def test_calm_comment_published():
    v = check_comment(
        "I think the new bus timetable is a real improvement for people in the villages."
    )
    assert v.decision is Decision.PUBLISH, v.to_dict()


def test_hostile_comment_without_profanity_is_held():
    # No word of data/insults.txt and a low profanity-model score: the VADER
    # terms of the hold score (negativity + "you" near a negative word) hold it.
    text = "Your party ruined this state with corruption and you should feel ashamed."
    r = AbuseRule().check(text, CheckContext())
    assert r.details["lexicon"] == 0 and r.details["reject_score"] < 0.3
    assert r.details["targeted_negative"] is True
    assert r.decision is Decision.HOLD and r.code is ReasonCode.TOXIC


def test_negativity_alone_never_rejects():
    # The VADER terms raise the hold score only; rejection needs the reject score.
    text = "Your party ruined this state with corruption and you should feel ashamed."
    strict = CheckContext(abuse_hold_score=0.05, abuse_reject_score=0.3)
    r = AbuseRule().check(text, strict)
    assert r.score >= 0.3 > r.details["reject_score"]
    assert r.decision is Decision.HOLD


def test_friendly_comment_has_no_negativity():
    r = AbuseRule().check(
        "What a thoughtful article, thank you for explaining the budget so clearly.",
        CheckContext(),
    )
    assert r.details["negativity"] == 0 and r.details["targeted_negative"] is False
    assert r.decision is Decision.PUBLISH


def test_laughter_and_mixed_text_are_not_rejected_as_another_language():
    from masthead.moderation.guidelines.rules.language import LanguageRule

    rule = LanguageRule()
    laugh = rule.check("Ha ha ha ha, funny as hell, ha ha ha", CheckContext())
    assert laugh.decision is not Decision.REJECT, laugh.details
    only_laughter = rule.check("HA HA HA ........ LOL", CheckContext())
    assert only_laughter.details["language"] == "und"
    assert only_laughter.decision is Decision.PUBLISH
    # English clause + Hinglish clause: held for a moderator, not rejected.
    mixed = rule.check(
        "Aap ko support nahi kar rahe ho to bhi chalega but do not support "
        "them because all of their leaders are corrupt",
        CheckContext(),
    )
    assert mixed.decision is Decision.HOLD and mixed.details.get("mixed") == 1, mixed.details
    # Plain Hinglish is still rejected.
    hing = rule.check("Modi ji ab bhi samay hai Pakistan ko sabak sikha do", CheckContext())
    assert hing.decision is Decision.REJECT
