import json

from masthead.moderation.guidelines import (
    Decision,
    ReasonCode,
    RuleResult,
    Span,
    Verdict,
)


def test_decision_order():
    assert Decision.PUBLISH < Decision.HOLD < Decision.REJECT
    assert max([Decision.HOLD, Decision.REJECT, Decision.PUBLISH]) is Decision.REJECT


def test_reason_code_names_stable():
    for name in [
        "NOT_ENGLISH",
        "NOT_SENTENCES",
        "TOXIC",
        "PERSONAL_ATTACK",
        "PERSONAL_DATA",
        "LINKS",
        "REPEAT_POST",
        "BANNED_WORD",
        "SUSPECT_WORD",
        "PREMOD_USER",
        "RATE_LIMIT",
        "EMPTY",
        "TOO_LONG",
        "BANNED_USER",
        "SUSPENDED_USER",
    ]:
        assert ReasonCode[name].value == name


def test_verdict_most_severe_and_roundtrip():
    v = Verdict(
        [
            RuleResult("a"),
            RuleResult(
                "b",
                Decision.HOLD,
                ReasonCode.LINKS,
                "hold msg",
                spans=[Span(0, 3, "abc")],
            ),
            RuleResult("c", Decision.REJECT, ReasonCode.TOXIC, "reject msg", score=0.9),
        ]
    )
    assert v.decision is Decision.REJECT
    assert v.reasons == [ReasonCode.TOXIC, ReasonCode.LINKS]
    assert v.message == "reject msg"
    d = json.loads(json.dumps(v.to_dict()))
    assert d["decision"] == "reject"
    back = Verdict.from_dict(d)
    assert back.decision is Decision.REJECT and back.results[1].spans == [Span(0, 3, "abc")]


def test_empty_verdict_publishes():
    assert Verdict([]).decision is Decision.PUBLISH
    assert Verdict([]).message == ""
