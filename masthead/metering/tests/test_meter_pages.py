"""The meter as readers meet it on story pages."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from masthead.articles.models import AccessLevel
from masthead.metering.models import MeterView
from masthead.metering.services import COOKIE_NAME
from masthead.metering.tests.helpers import body_state


def test_member_reads_ten_then_prompt_then_rereads(alice, signed_in, make_story):
    client = signed_in(alice)
    stories = [make_story() for _ in range(11)]
    for n, story in enumerate(stories[:10], start=1):
        full, html = body_state(client, story)
        assert full, f"story {n} should be readable"
        assert f"{n} / 10" in html and "free stories this month" in html
        assert 'class="story__gated"' in html
    full, html = body_state(client, stories[10])
    assert not full
    assert "paywall" in html and "Subscribe" in html
    assert stories[10].paragraphs_text[1] not in html and stories[10].paragraphs_text[2] not in html
    assert "story__gated" not in html.split("</head>", 1)[1]
    # the prompt returns the reader to the same story
    assert (
        f"next={stories[10].url}".replace("/", "%2F") in html or f"next={stories[10].url}" in html
    )
    # re-reading one of the first ten: still full, never counted again
    for _ in range(3):
        full, html = body_state(client, stories[3])
        assert full
    assert "10 / 10" in html
    assert MeterView.objects.filter(reader_key=f"u:{alice.pk}").count() == 10


def test_free_stories_never_count(alice, signed_in, make_story):
    client = signed_in(alice)
    free = make_story(access_level=AccessLevel.FREE)
    for _ in range(3):
        full, _html = body_state(client, free)
        assert full
    assert MeterView.objects.count() == 0


def test_subscriber_reads_everything_without_counting(bob, signed_in, make_story):
    client = signed_in(bob)
    for level in (AccessLevel.METERED, AccessLevel.SUBSCRIBERS):
        for _ in range(12):
            full, html = body_state(client, make_story(access_level=level))
            assert full
    assert "Subscriber: unlimited stories" in html
    assert MeterView.objects.count() == 0


def test_subscribers_only_story(alice, carol, signed_in, make_story):
    story = make_story(access_level=AccessLevel.SUBSCRIBERS)
    full, html = body_state(signed_in(alice), story)
    assert not full and "This story is for subscribers" in html
    assert "free stories this month" not in html  # the meter does not apply here
    full, html = body_state(Client(), story)
    assert not full and "free stories this month" not in html
    full, _ = body_state(signed_in(carol), story)  # staff preview everything
    assert full
    assert MeterView.objects.count() == 0


def test_revoked_or_expired_subscription_is_metered(bob, signed_in, make_story):
    from datetime import timedelta

    from django.utils import timezone

    sub = bob.subscriptions.get()
    sub.current_period_end = timezone.now() - timedelta(minutes=1)
    sub.save()
    story = make_story(access_level=AccessLevel.SUBSCRIBERS)
    full, _ = body_state(signed_in(bob), story)
    assert not full
    sub.status = "revoked"
    sub.current_period_end = None
    sub.save()
    full, _ = body_state(signed_in(bob), story)
    assert not full


def test_anonymous_meter_with_cookie(make_story):
    client = Client()
    stories = [make_story() for _ in range(4)]
    for n, story in enumerate(stories[:3], start=1):
        full, html = body_state(client, story)
        assert full
        assert f"{n} / 3" in html
    assert COOKIE_NAME in client.cookies
    full, html = body_state(client, stories[3])
    assert not full
    assert "Sign in to get 10 free stories" in html
    full, _ = body_state(client, stories[0])
    assert full, "an already-read story stays readable"


@pytest.mark.parametrize(
    "value", ["garbage", "", "a" * 5000, "x:y:z", "'; DROP TABLE x; --", "\u00e9\u00e9"]
)
def test_tampered_or_malformed_cookie_is_a_fresh_meter(make_story, value):
    story = make_story()
    client = Client()
    client.cookies[COOKIE_NAME] = value
    full, _ = body_state(client, story)
    assert full
    new = client.cookies[COOKIE_NAME].value
    assert new != value and len(MeterView.objects.all()) == 1


def test_edited_cookie_signature_is_rejected(make_story):
    a, b = make_story(), make_story()
    client = Client()
    body_state(client, a)
    signed = client.cookies[COOKIE_NAME].value
    meter_id = signed.split(":", 1)[0]
    assert len(meter_id) == 32
    forged = signed.replace(meter_id, "f" * 32)
    client.cookies[COOKIE_NAME] = forged
    body_state(client, b)
    keys = set(MeterView.objects.values_list("reader_key", flat=True))
    assert f"a:{'f' * 32}" not in keys and len(keys) == 2


def test_meter_json(alice, bob, signed_in, make_story):
    client = signed_in(alice)
    body_state(client, make_story())
    data = json.loads(client.get("/meter.json").content)
    assert data["views"] == 1 and data["views_left"] == 9 and data["max_views"] == 10
    assert data["reader"] == "member" and re.match(
        r"\d{4}-\d\d-01T00:00:00\+05:30", data["period_end"]
    )
    anon = json.loads(Client().get("/meter.json").content)
    assert anon["views"] == 0 and anon["max_views"] == 3
    sub = json.loads(signed_in(bob).get("/meter.json").content)
    assert sub["unlimited"] is True and sub["views"] is None
    response = client.get("/meter.json")
    assert "private" in response["Cache-Control"]
    assert client.post("/meter.json").status_code == 405
    head = client.head("/meter.json")  # monitors and link checkers
    assert head.status_code == 200 and head.content == b""


def test_cache_headers(alice, signed_in, make_story):
    metered, free = make_story(), make_story(access_level=AccessLevel.FREE)
    anon = Client()
    assert "private" in anon.get(metered.url)["Cache-Control"]
    response = anon.get(free.url)
    assert "private" not in response.get("Cache-Control", "")
    member = signed_in(alice)
    for story in (metered, free):
        response = member.get(story.url)
        assert "private" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]


def test_meter_limits_come_from_site_setting(alice, signed_in, make_story, home):
    from wagtail.models import Site

    from masthead.metering.models import MeterSettings

    s = MeterSettings.for_site(Site.objects.get(is_default_site=True))
    s.member_limit = 2
    s.save()
    client = signed_in(alice)
    results = [body_state(client, make_story())[0] for _ in range(3)]
    assert results == [True, True, False]


def test_head_request_never_uses_a_free_story(make_story):
    from django.test import Client

    story = make_story("Previewed by a link unfurler")
    client = Client()
    assert client.head(story.url).status_code == 200
    meter = client.get("/meter.json").json()
    assert meter["views"] == 0
