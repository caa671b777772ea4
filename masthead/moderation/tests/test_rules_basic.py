from masthead.moderation.guidelines import (
    CheckContext,
    Decision,
    ReasonCode,
    check_comment,
)
from masthead.moderation.guidelines.rules.basic import (
    ControlCharsRule,
    EmptyRule,
    LengthRule,
)
from masthead.moderation.guidelines.rules.content import (
    BannedWordsRule,
    LinksRule,
    RepeatRule,
)
from masthead.moderation.guidelines.rules.member import MemberStatusRule, RateRule
from masthead.moderation.guidelines.rules.personal import PersonalDataRule
from masthead.moderation.guidelines.rules.sentences import SentencesRule


def test_empty(ctx):
    for t in ["", "   \n\t", "\u200b\u200b"]:
        r = EmptyRule().check(t, ctx)
        assert r.decision is Decision.REJECT and r.code is ReasonCode.EMPTY
    assert not EmptyRule().check("Hello there.", ctx).fired


def test_too_long_message_and_100kb(ctx):
    text = "word " * 20_000  # 100 KB
    r = LengthRule().check(text, ctx)
    assert r.code is ReasonCode.TOO_LONG and "5,000" in r.message and "100,000" in r.message
    v = check_comment(text)
    assert v.decision is Decision.REJECT and v.reasons == [ReasonCode.TOO_LONG]


def test_control_chars(ctx):
    r = ControlCharsRule().check("Hello\x00 world, this is fine.", ctx)
    assert r.code is ReasonCode.CONTROL_CHARS and r.spans[0].start == 5


def test_sentences(ctx):
    rule = SentencesRule()
    for t, kind in [
        ("Nice", "too_few_words"),
        ("😀😀😀", "no_words"),
        ("!!!???...", "no_words"),
        ("THIS GOVERNMENT IS A TOTAL DISASTER", "shouting"),
        ("u r gr8 lol", "text_speak"),
    ]:
        r = rule.check(t, ctx)
        assert r.code is ReasonCode.NOT_SENTENCES and r.details["kind"] == kind, t
    assert not rule.check("The council should publish the full budget before the vote.", ctx).fired
    assert not rule.check("I agree with the BJP and the RSS on this point.", ctx).fired


def test_links():
    ctx = CheckContext(max_links=2)
    t = "See https://a.example/x and www.b.org and c.com/page for details."
    r = LinksRule().check(t, ctx)
    assert r.code is ReasonCode.LINKS and len(r.spans) == 3
    assert r.spans[0].text == "https://a.example/x"
    assert not LinksRule().check("Only https://a.example/x here, read it.", ctx).fired


def test_repeat():
    ctx = CheckContext(recent_texts=["I think the minister is right!"])
    r = RepeatRule().check("i think   the MINISTER is right\u200b", ctx)
    assert r.code is ReasonCode.REPEAT_POST
    assert not RepeatRule().check("I think the minister is wrong.", ctx).fired


def test_banned_and_suspect_words_hidden_by_zero_width_and_rtl():
    ctx = CheckContext(banned_words=["badword"], suspect_words=["scam"])
    text = "This is a b\u200ba\u202edw\u2069ord in a sentence."
    r = BannedWordsRule().check(text, ctx)
    assert r.code is ReasonCode.BANNED_WORD
    sp = r.spans[0]
    assert text[sp.start : sp.end] == sp.text and sp.text.replace("\u200b", "").startswith("ba")
    r = BannedWordsRule().check("What a SCÀM this is.", ctx)
    assert r.code is ReasonCode.SUSPECT_WORD and r.spans[0].text == "SCÀM"
    assert not BannedWordsRule().check("Badwordless prose is fine.", ctx).fired


def test_personal_data_spans(ctx):
    text = "Mail me at reader5@example.org or call +91 98765 43210 or 09876543210."
    r = PersonalDataRule().check(text, ctx)
    assert r.code is ReasonCode.PERSONAL_DATA and r.decision is Decision.HOLD
    got = [s.text for s in r.spans]
    assert got == ["reader5@example.org", "+91 98765 43210", "09876543210"]
    assert not PersonalDataRule().check("In 2019 the scheme cost 45000 crore rupees.", ctx).fired


def test_rate_and_member():
    r = RateRule().check("x", CheckContext(seconds_since_last_comment=1.2))
    assert r.code is ReasonCode.RATE_LIMIT and "wait 2 seconds" in r.message
    r = RateRule().check("x", CheckContext(seconds_since_last_comment=2.5))
    assert "wait 1 second and" in r.message
    assert not RateRule().check("x", CheckContext(seconds_since_last_comment=5)).fired
    r = RateRule().check("x", CheckContext(author_is_new_member=True, comments_today=20))
    assert r.code is ReasonCode.DAILY_LIMIT
    assert (
        MemberStatusRule().check("x", CheckContext(author_banned=True)).code
        is ReasonCode.BANNED_USER
    )
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 1, 1, tzinfo=UTC)
    c = CheckContext(author_suspended_until=now + timedelta(days=1), now=now)
    assert MemberStatusRule().check("x", c).code is ReasonCode.SUSPENDED_USER
    c = CheckContext(author_suspended_until=now - timedelta(days=1), now=now)
    assert not MemberStatusRule().check("x", c).fired
    assert (
        MemberStatusRule().check("x", CheckContext(author_premoderated=True)).decision
        is Decision.HOLD
    )
    c = CheckContext(author_is_new_member=True, premod_new_members=True)
    assert MemberStatusRule().check("x", c).code is ReasonCode.NEW_MEMBER
