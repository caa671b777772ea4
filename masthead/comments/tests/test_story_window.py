"""Per-story comment window: editors keep a thread open past the site's window or close it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from masthead.articles.models import CommentsMode
from masthead.comments import actions
from masthead.comments.models import Comment
from masthead.comments.services import anonymous_thread_key, thread_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_story(make_story):
    """A story published 400 days ago: past the site's 30-day window."""
    return make_story("An old story", published_at=timezone.now() - timedelta(days=400))


def _publish(story, **fields):
    for name, value in fields.items():
        setattr(story, name, value)
    story.save_revision().publish()
    story.refresh_from_db()
    return story


def test_site_default_closes_an_old_story(old_story, alice):
    assert old_story.comments_mode == CommentsMode.DEFAULT
    state = thread_state(old_story)
    assert not state.open and "30 days" in state.reason
    assert actions.post_comment(alice, old_story, "Late to this one.").code == "closed"


def test_keep_open_without_a_time_takes_comments_on_an_old_story(old_story, alice):
    _publish(old_story, comments_mode=CommentsMode.OPEN)
    state = thread_state(old_story)
    assert state.open and state.closes_at is None
    r = actions.post_comment(alice, old_story, "Still worth discussing today.")
    assert r.code != "closed"
    assert Comment.objects.filter(story=old_story).count() == 1


def test_keep_open_until_a_time_closes_then(old_story, alice):
    until = timezone.now() + timedelta(days=2)
    _publish(old_story, comments_mode=CommentsMode.OPEN, comments_open_until=until)
    assert thread_state(old_story).open
    assert thread_state(old_story).closes_at == until
    later = thread_state(old_story, now=until + timedelta(minutes=1))
    assert not later.open and "now closed" in later.reason


def test_closed_early_refuses_a_new_story(make_story, alice, client):
    story = _publish(make_story("Fresh news"), comments_mode=CommentsMode.CLOSED)
    state = thread_state(story)
    assert not state.open and state.reason == "Comments are closed on this story."
    r = actions.post_comment(alice, story, "Can I still comment here?")
    assert r.code == "closed" and r.body == "Can I still comment here?"
    client.force_login(alice)
    html = client.get(story.url).content.decode()
    assert "Comments are closed on this story." in html and "<textarea" not in html


def test_anonymous_thread_key_follows_the_story_window(old_story):
    request = RequestFactory().get(old_story.url)
    assert anonymous_thread_key(request, old_story).endswith(":1:0")  # aged
    _publish(old_story, comments_mode=CommentsMode.OPEN)
    assert anonymous_thread_key(request, old_story).endswith(":0:0")


def test_a_closing_time_without_keep_open_is_refused(make_story):
    story = make_story("Settings check")
    story.comments_open_until = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        story.full_clean()
    assert "comments_open_until" in exc.value.message_dict


def test_load_demo_keeps_the_seed_story_thread_open(home):
    from io import StringIO

    from django.core.management import call_command

    from masthead.articles.models import StoryPage
    from masthead.conftest import shared_path

    seed = shared_path("seed/000_340efefdbb3cb629.txt")
    call_command("load_demo", "--shared", str(seed.parent.parent), "--no-corpus", stdout=StringIO())
    story = StoryPage.objects.get(external_id=f"file:{seed.name}")
    assert story.display_published.year == 2021  # far past the site's 30-day window
    assert story.comments_mode == CommentsMode.OPEN and thread_state(story).open
    assert story.live_revision.as_object().comments_mode == CommentsMode.OPEN
    # an editor who closed it keeps it closed when load_demo runs again
    _publish(story, comments_mode=CommentsMode.CLOSED)
    call_command("load_demo", "--shared", str(seed.parent.parent), "--no-corpus", stdout=StringIO())
    story.refresh_from_db()
    assert story.comments_mode == CommentsMode.CLOSED
