"""The small explainable rules: violence, dehumanisation, dodged swearing,
put-downs and repetition -- each alone and through the real pipeline."""

from __future__ import annotations

import pytest

from masthead.moderation.guidelines import CheckContext, Decision, ReasonCode, check_comment
from masthead.moderation.guidelines.rules.belittling import BelittlingRule
from masthead.moderation.guidelines.rules.dehumanising import DehumanisingRule
from masthead.moderation.guidelines.rules.evasion import DodgedSwearingRule, decode
from masthead.moderation.guidelines.rules.repetition import RepetitionRule
from masthead.moderation.guidelines.rules.violence import ViolenceRule

CTX = CheckContext()


def _decision(rule: object, text: str) -> Decision:
    return rule.check(text, CTX).decision  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("These people are animals and should be wiped out.", Decision.REJECT),
        ("Kill them all.", Decision.REJECT),
        ("They should all be shot.", Decision.REJECT),
        ("Those migrants are vermin and should be hanged.", Decision.REJECT),
        ("Rapists should be hanged publicly.", Decision.HOLD),
        ("He deserves to die.", Decision.HOLD),
        ("I hope he dies soon.", Decision.HOLD),
        ("Modi should be shot", Decision.HOLD),
        ("The debt should be wiped out.", Decision.PUBLISH),
        ("Corruption must be eradicated from the system.", Decision.PUBLISH),
        ("The floods wiped out the crops in three villages.", Decision.PUBLISH),
        ("The film was shot in Pune and they loved it.", Decision.PUBLISH),
        ("The bill will be killed in the senate.", Decision.PUBLISH),
    ],
)
def test_violence_rule(text: str, want: Decision) -> None:
    r = ViolenceRule().check(text, CTX)
    assert r.decision is want, text
    if want > Decision.PUBLISH:
        assert r.code is ReasonCode.VIOLENT_SPEECH and r.spans and r.message
        assert all(text[s.start : s.end] == s.text for s in r.spans)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Muslims are parasites.", Decision.REJECT),
        ("Those immigrants are nothing but cockroaches.", Decision.REJECT),
        ("These people are animals.", Decision.HOLD),
        ("He is a snake.", Decision.HOLD),
        ("Politicians are like rats.", Decision.HOLD),
        ("Lions are animals too.", Decision.PUBLISH),
        ("The rats are back in the kitchen.", Decision.PUBLISH),
        ("Pigs are intelligent animals.", Decision.PUBLISH),
    ],
)
def test_dehumanising_rule(text: str, want: Decision) -> None:
    r = DehumanisingRule().check(text, CTX)
    assert r.decision is want, text
    if want > Decision.PUBLISH:
        assert r.code is ReasonCode.DEHUMANISING


@pytest.mark.parametrize(
    ("token", "word"),
    [
        ("f*ck", "fuck"),
        ("f**king", "fucking"),
        ("sh1t", "shit"),
        ("5h1t", "shit"),
        ("b1tch", "bitch"),
        ("a$$hole", "asshole"),
        ("b.u.l.l.s.h.i.t", "bullshit"),
        ("fuuuuck", "fuck"),
        ("fuk", "fuck"),
        ("phuck", "fuck"),
        ("biatch", "bitch"),
    ],
)
def test_decode_dodged_spellings(token: str, word: str) -> None:
    assert decode(token) == word


@pytest.mark.parametrize(
    "token",
    [
        "Scunthorpe",
        "Cockburn",
        "Hoare",
        "Shitole",
        "Wankhede",
        "Dikshit",
        "Butt",
        "assess",
        "100%",
        "5pm",
        "A-B-C",
        "soooo",
        "Cheney",
        "Penistone",
        "Titwala",
        "Chodavaram",
    ],
)
def test_decode_leaves_names_and_words(token: str) -> None:
    assert decode(token) is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("What a load of b.u.l.l.s.h.i.t from the council", Decision.HOLD),
        ("f u c k this government and its budget", Decision.HOLD),
        ("This plan is f**king useless", Decision.HOLD),
        ("f*ck you and your party", Decision.REJECT),
        ("you are a b1tch", Decision.REJECT),
        ("Scunthorpe and Cockburn met Hoare, Shitole and Wankhede.", Decision.PUBLISH),
        ("Dick Cheney, Mr. Butt, Gandu Rao and Kumar Ho were there.", Decision.PUBLISH),
        ("U S A and U K leaders met in Delhi.", Decision.PUBLISH),
    ],
)
def test_dodged_swearing_rule(text: str, want: Decision) -> None:
    r = DodgedSwearingRule().check(text, CTX)
    assert r.decision is want, text
    if want > Decision.PUBLISH:
        assert r.code is ReasonCode.DODGED_SWEARING and r.details["words"]


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("You clearly know nothing, go back to school…", True),
        ("Grow up and read the report.", True),
        ("I think you have no idea how budgets work.", True),
        ("Do you even read the story?", True),
        ("The children go back to school on Monday.", False),
        ("I do not know what you are talking about.", False),
        ("You know the report better than I do.", False),
    ],
)
def test_belittling_rule(text: str, fires: bool) -> None:
    r = BelittlingRule().check(text, CTX)
    assert (r.decision is Decision.HOLD and r.code is ReasonCode.PERSONAL_ATTACK) is fires, text
    assert r.decision is not Decision.REJECT


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("RUSSIA RUSSIA RUSSIA!!!", True),
        ("lock her up lock her up lock her up", True),
        ("Modi Modi Modi Modi is all they chant", True),
        ("very very very good work by the reporters", False),
        ("ha ha ha that is a good one", False),
        ("@USER @USER @USER thanks for the story", False),
        ("The the report is good.", False),
    ],
)
def test_repetition_rule(text: str, fires: bool) -> None:
    r = RepetitionRule().check(text, CTX)
    assert (r.decision is Decision.HOLD and r.code is ReasonCode.REPETITION) is fires, text


def test_issue_examples_through_the_pipeline() -> None:
    v = check_comment("These people are animals and should be wiped out.")
    assert v.decision is Decision.REJECT
    assert ReasonCode.VIOLENT_SPEECH in v.reasons and ReasonCode.DEHUMANISING in v.reasons
    v = check_comment("You clearly know nothing, go back to school…")
    assert v.decision >= Decision.HOLD and ReasonCode.PERSONAL_ATTACK in v.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Dick Cheney was vice president when the decision on the war was made.",
        "Mr. Butt from the municipal office explained the new parking rules.",
        "I met Gandu Rao at the market and he told me about the new bus stop.",
        "@kumar_ho thanks for the report on #WankhedeStadium, very useful https://example.org",
    ],
)
def test_names_and_handles_are_published(text: str) -> None:
    assert check_comment(text).decision is Decision.PUBLISH


def test_english_with_one_or_two_unknown_tokens_is_english() -> None:
    from masthead.moderation.guidelines.rules.language import detect

    assert detect("I really enjoyed the piece about the jhalmuri sellers of the city")[0] == "en"
    assert (
        detect("@USER @USER She should ask a few native Americans what they think. #MAGA")[0]
        == "en"
    )


@pytest.mark.parametrize(
    "text",
    [
        "yeh kya ho raha hai bhai sab log pagal ho gaye hai",
        "Modi ji ne bahut accha kaam kiya hai is saal",
        "यह बहुत अच्छी खबर है और सरकार को धन्यवाद",
    ],
)
def test_hinglish_and_devanagari_still_rejected(text: str) -> None:
    v = check_comment(text)
    assert v.decision is Decision.REJECT and ReasonCode.NOT_ENGLISH in v.reasons


def test_violence_about_animals_is_not_about_people() -> None:
    text = (
        "Rigveda declares that on the occasion of a marriage oxen and cows should be slaughtered."
    )
    assert ViolenceRule().check(text, CTX).decision is Decision.PUBLISH
