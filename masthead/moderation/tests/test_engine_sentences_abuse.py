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
