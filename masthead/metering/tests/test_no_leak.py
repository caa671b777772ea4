"""No gated text leaves the server for a reader who is not entitled (issue 3)."""

from __future__ import annotations

import json
import re

import feedparser
import pytest
from django.test import Client

from masthead.articles.models import AccessLevel
from masthead.metering.tests.helpers import body_state

SECRET = "Zanzibar-quokka-secret-paragraph"


@pytest.fixture
def secret_story(make_story):
    return make_story(
        title="Harbour dredging plan",
        standfirst="The port wants to deepen the channel.",
        paragraphs=["The opening paragraph is free.", f"{SECRET} second.", f"{SECRET} third."],
    )


def _exhaust(client: Client, make_story, n: int) -> None:
    for _ in range(n):
        body_state(client, make_story())


@pytest.mark.parametrize("level", [AccessLevel.METERED, AccessLevel.SUBSCRIBERS])
def test_feeds_carry_only_headline_and_standfirst(make_story, level):
    story = make_story(access_level=level, paragraphs=["Lead.", f"{SECRET} a.", f"{SECRET} b."])
    for url in ("/feeds/latest.rss", "/feeds/latest.atom", "/feeds/world.rss", "/feeds/world.atom"):
        response = Client().get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert SECRET not in text and "Lead." not in text
        parsed = feedparser.parse(response.content)
        entry = next(e for e in parsed.entries if e.title == story.title)
        assert entry.summary == story.standfirst


def test_gated_page_has_no_gated_text_anywhere(make_story, secret_story):
    client = Client()
    _exhaust(client, make_story, 3)
    full, html = body_state(client, secret_story)
    assert not full
    assert SECRET not in html  # not in HTML, data- attributes, JSON blobs or comments
    ld = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert "articleBody" not in ld and ld["isAccessibleForFree"] is False
    assert ld["description"] == secret_story.standfirst
    og = re.search(r'<meta property="og:description" content="([^"]*)"', html).group(1)
    assert og == secret_story.standfirst
    # meter JSON carries numbers only
    assert SECRET not in client.get("/meter.json").content.decode()


@pytest.mark.parametrize("level", [AccessLevel.METERED, AccessLevel.SUBSCRIBERS])
def test_a_one_paragraph_story_shows_no_body_text_behind_the_prompt(
    make_story, alice, signed_in, level
):
    """A brief whose only paragraph would be the lead-in: the prompt shows without it,
    and an entitled reader gets it as the gated part (found by a newcomer helper)."""
    brief = make_story(access_level=level, paragraphs=[f"{SECRET} is the whole brief."])
    client = Client()
    if level == AccessLevel.METERED:
        _exhaust(client, make_story, 3)
    html = client.get(brief.url).content.decode()
    assert "paywall-title" in html
    assert SECRET not in html
    if level == AccessLevel.METERED:
        html = signed_in(alice).get(brief.url).content.decode()
        assert "paywall-title" not in html
        assert SECRET in html.split('<div class="story__gated">', 1)[1]


def test_entitled_page_marks_gated_part_for_search_engines(alice, signed_in, secret_story):
    full, html = body_state(signed_in(alice), secret_story)
    assert full and SECRET in html
    gated = html.split('<div class="story__gated">', 1)
    assert len(gated) == 2 and SECRET in gated[1] and "The opening paragraph is free." in gated[0]
    ld = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert ld["isAccessibleForFree"] is False
    assert ld["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".story__gated",
    }


def test_search_results_never_show_body_text(secret_story):
    response = Client().get("/search/", {"q": "Zanzibar"})
    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_listing_pages_show_no_body_text(secret_story):
    for url in ("/", "/world/"):
        assert SECRET not in Client().get(url).content.decode()


def test_unknown_access_level_is_metered_and_refused_on_save(make_story, alice):
    from django.core.exceptions import ValidationError

    from masthead.metering.services import MEMBER, Reader, Reason, decide_for

    reader = Reader(MEMBER, f"u:{alice.pk}", 1)
    assert decide_for(reader, 1, "bogus").reason == Reason.COUNTED
    assert decide_for(reader, 2, None).reason == Reason.METER_EXHAUSTED
    assert decide_for(reader, 3, "").full is False
    story = make_story(access_level=AccessLevel.FREE)
    story.access_level = "premium"
    with pytest.raises(ValidationError):
        story.save()
