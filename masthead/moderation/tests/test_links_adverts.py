"""The links rule catches the common shapes of advert spam: a link with a call to buy
or earn, and the same link dropped in several comments; ordinary links stay published."""

from __future__ import annotations

import pytest

from masthead.moderation.guidelines import CheckContext, Decision, ReasonCode
from masthead.moderation.guidelines.rules.content import LinksRule, link_key

ADVERTS = [
    "Buy cheap watches at https://cheap-watches.example/shop today.",
    "I earn 5000 per day working from home, see www.easy-cash.example for details.",
    "Great story. Get 50% off all shoes at shoes4less.com now.",
    "Click here for the best crypto investment: https://coin.example/join",
    "DM me on whatsapp for loans, details at fastloan.in",
]

ORDINARY = [
    "The council's own figures are at https://city.example.gov/budget and they differ.",
    "The full report is on www.who.int and worth reading before the vote.",
    "I read the same thing in https://news.example.org/world/flood yesterday.",
]


@pytest.mark.parametrize("text", ADVERTS)
def test_a_link_with_a_call_to_buy_or_earn_is_held(text: str) -> None:
    result = LinksRule().check(text, CheckContext())
    assert result.decision is Decision.HOLD and result.code is ReasonCode.LINKS, text
    assert "advertisement" in result.message
    assert result.details["advert"]
    assert any(text[s.start : s.end] == s.text for s in result.spans)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_links_stay_published(text: str) -> None:
    assert not LinksRule().check(text, CheckContext()).fired, text


def test_a_call_to_buy_without_a_link_is_not_an_advert() -> None:
    text = "I would never buy a flat in that area after this flood."
    assert not LinksRule().check(text, CheckContext()).fired


def test_the_same_link_across_comments_is_held() -> None:
    earlier = ["Nice. Read more at https://my-blog.example/post-1", "Unrelated words here."]
    ctx = CheckContext(recent_texts=earlier)
    again = "Agreed with the editorial; see http://www.My-Blog.example/post-1/ too."
    result = LinksRule().check(again, ctx)
    assert result.decision is Decision.HOLD and result.code is ReasonCode.LINKS
    assert result.details["repeated_links"] == ["my-blog.example/post-1"]
    other = "A different source: https://news.example.org/analysis says otherwise."
    assert not LinksRule().check(other, ctx).fired


def test_link_key_ignores_scheme_www_case_and_trailing_punctuation() -> None:
    assert link_key("https://www.Example.com/a/") == link_key("example.com/a.") == "example.com/a"


def test_the_whole_engine_holds_an_advert_with_one_link() -> None:
    for module in ("py3langid", "profanity_check", "wordfreq"):
        pytest.importorskip(module)
    from masthead.moderation.guidelines import check_comment

    advert = "Buy cheap watches at https://cheap-watches.example/shop, the best prices in town."
    verdict = check_comment(advert, CheckContext())
    assert verdict.decision is not Decision.PUBLISH
    assert ReasonCode.LINKS in verdict.reasons
