"""Comment windows: story/site/section switches, auto-close after N days, quiet hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from masthead.comments import actions
from masthead.comments.apps import check_settings
from masthead.comments.models import CommentSettings
from masthead.comments.services import in_quiet_hours, parse_quiet_hours, thread_state

IST = ZoneInfo("Asia/Kolkata")


@pytest.mark.django_db
def test_open_by_default(story):
    state = thread_state(story)
    assert state.open and state.closes_at == story.display_published + timedelta(days=30)


@pytest.mark.django_db
def test_site_switch_closes_every_thread(story, alice, client):
    s = CommentSettings.for_site(story.get_site())
    s.comments_enabled = False
    s.save()
    assert not thread_state(story).open
    r = actions.post_comment(alice, story, "Anyone?")
    assert r.code == "closed" and "switched off" in r.message
    client.force_login(alice)
    html = client.get(story.url).content.decode()
    assert "switched off" in html and "<textarea" not in html


@pytest.mark.django_db
def test_closed_section(story, make_story, alice):
    from masthead.articles.services import ensure_section

    business = ensure_section("business", "Business")
    open_story = make_story("Markets rally", section=business)
    s = CommentSettings.for_site(story.get_site())
    s.closed_sections.add(story.get_parent().specific)
    assert "section" in thread_state(story).reason
    assert thread_state(open_story).open
    assert actions.post_comment(alice, open_story, "Good news for savers.").status == "published"


@pytest.mark.django_db
@override_settings(MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS=7)
def test_auto_close_after_days(make_story, alice):
    old = make_story("Old story", published_at=timezone.now() - timedelta(days=8))
    fresh = make_story("Fresh story", published_at=timezone.now() - timedelta(days=6))
    assert "7 days" in thread_state(old).reason
    assert actions.post_comment(alice, old, "Late thoughts.").code == "closed"
    assert thread_state(fresh).open


@pytest.mark.django_db
@override_settings(MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS=0)
def test_auto_close_off(make_story):
    old = make_story("Ancient story", published_at=timezone.now() - timedelta(days=4000))
    assert thread_state(old).open


def test_parse_quiet_hours():
    assert parse_quiet_hours("") is None
    assert parse_quiet_hours("23:00-06:00") == (time(23), time(6))
    assert parse_quiet_hours(" 1:30 - 5:00 ") == (time(1, 30), time(5))
    for bad in ["overnight", "25:00-06:00", "06:00-06:00", "6-7"]:
        with pytest.raises(ImproperlyConfigured):
            parse_quiet_hours(bad)


def test_in_quiet_hours_wraps_midnight():
    window = (time(23), time(6))
    at = lambda h, m=0: datetime(2026, 3, 1, h, m, tzinfo=IST)  # noqa: E731
    assert (
        in_quiet_hours(at(23), window)
        and in_quiet_hours(at(2), window)
        and in_quiet_hours(at(5, 59), window)
    )
    assert not in_quiet_hours(at(6), window) and not in_quiet_hours(at(22, 59), window)
    day = (time(13), time(14))
    assert in_quiet_hours(at(13, 30), day) and not in_quiet_hours(at(14), day)
    # compared in the site zone: 20:00 UTC is 01:30 IST
    assert in_quiet_hours(datetime(2026, 3, 1, 20, 0, tzinfo=ZoneInfo("UTC")), window)


@pytest.mark.django_db
@override_settings(MASTHEAD_COMMENTS_QUIET_HOURS="00:00-06:00")
def test_quiet_hours_refuse_posts_with_return_time(story, alice, monkeypatch):
    night = datetime(2026, 3, 1, 3, 0, tzinfo=IST)
    monkeypatch.setattr("masthead.comments.services.timezone.now", lambda: night)
    r = actions.post_comment(alice, story, "Night owl comment.")
    assert (
        r.code == "closed" and "between 00:00 and 06:00" in r.message and "after 06:00" in r.message
    )
    monkeypatch.setattr("masthead.comments.services.timezone.now", lambda: night.replace(hour=9))
    assert thread_state(story).open


@override_settings(MASTHEAD_COMMENTS_QUIET_HOURS="late evening")
def test_bad_quiet_hours_fail_system_check():
    assert [e.id for e in check_settings()] == ["comments.E001"]
