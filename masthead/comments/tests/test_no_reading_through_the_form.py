"""A failed comment post never shows a metered story's gated text or uses the meter.

The story page is drawn again with the writer's text and the message; the decision
is the one a request that never counts gets (masthead.metering.services.decide): the
full story only for a reader entitled without counting or whose read was counted.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.articles.models import AccessLevel
from masthead.comments.models import Comment
from masthead.metering.models import MeterView

SECRET = "Gated-osprey-paragraph"


@pytest.fixture
def metered(make_story):
    return make_story(
        access_level=AccessLevel.METERED,
        paragraphs=["The free opening.", f"{SECRET} one.", f"{SECRET} two."],
    )


@pytest.mark.django_db
def test_empty_post_on_an_unread_story_shows_the_lead_in_and_counts_nothing(alice_client, metered):
    response = alice_client.post(f"/comments/story/{metered.pk}/post/", {"body": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The free opening." in html and SECRET not in html
    assert "Continue reading" in html and f'href="{metered.url}"' in html
    assert MeterView.objects.count() == 0
    assert alice_client.get("/meter.json").json()["views"] == 0
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_post_on_a_closed_thread_shows_no_gated_text(alice_client, make_story):
    old = make_story(
        access_level=AccessLevel.METERED,
        paragraphs=["The free opening.", f"{SECRET} one.", f"{SECRET} two."],
        published_at=timezone.now() - timedelta(days=400),
    )
    response = alice_client.post(f"/comments/story/{old.pk}/post/", {"body": "A fine point."})
    assert response.status_code == 403
    assert SECRET not in response.content.decode()
    assert MeterView.objects.count() == 0


@pytest.mark.django_db
def test_a_reader_who_read_the_story_keeps_it_in_full_after_a_failed_post(alice_client, metered):
    assert SECRET in alice_client.get(metered.url).content.decode()  # counted: 1 of 10
    response = alice_client.post(f"/comments/story/{metered.pk}/post/", {"body": ""})
    assert response.status_code == 400
    assert SECRET in response.content.decode()  # already counted: nothing new is shown
    assert alice_client.get("/meter.json").json()["views"] == 1


@pytest.mark.django_db
def test_head_never_counts(alice_client, metered):
    response = alice_client.head(metered.url)
    assert response.status_code == 200
    assert MeterView.objects.count() == 0
