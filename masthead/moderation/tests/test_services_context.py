"""build_check_context fills the engine's CheckContext from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from wagtail.models import Site

from masthead.articles.models import Author
from masthead.comments.models import CommentStatus
from masthead.moderation import services
from masthead.moderation.models import MemberStatus, ModerationSettings, ModerationWord

from .django_fixtures import *  # noqa: F403  (shared Django fixtures)

pytestmark = pytest.mark.django_db


def test_normal_member_defaults(member: Any, story: Any) -> None:
    ctx = services.build_check_context(member, story)
    assert ctx.author_banned is False
    assert ctx.author_suspended_until is None
    assert ctx.author_premoderated is False
    assert ctx.seconds_since_last_comment is None
    assert ctx.comments_today == 0
    assert ctx.min_seconds_between_comments == 3.0
    assert ctx.recent_texts == ()


def test_member_status_flows_into_context(member: Any, moderator: Any, story: Any) -> None:
    services.ban_member(member, "spam", moderator)
    assert services.build_check_context(member, story).author_banned is True

    until = timezone.now() + timedelta(days=2)
    services.suspend_member(member, until, "cool off", moderator)
    ctx = services.build_check_context(member, story)
    assert ctx.author_banned is False
    assert ctx.author_suspended_until == until

    services.set_premoderation(member, "watch", moderator)
    ctx = services.build_check_context(member, story)
    assert ctx.author_premoderated is True and ctx.author_suspended_until is None

    services.lift_restrictions(member, "ok now", moderator)
    ctx = services.build_check_context(member, story)
    assert not (ctx.author_banned or ctx.author_premoderated or ctx.author_suspended_until)


def test_thresholds_come_from_site_setting(member: Any, story: Any) -> None:
    conf = ModerationSettings.for_site(Site.objects.get(is_default_site=True))
    services.update_thresholds(
        conf,
        {
            "abuse_reject_score": 0.9,
            "max_links": 5,
            "min_seconds_between_comments": 10,
            "max_length": 800,
            "premoderate_new_members": True,
            "new_member_daily_limit": 4,
        },
        None,
    )
    ctx = services.build_check_context(member, story)
    assert ctx.abuse_reject_score == 0.9
    assert ctx.max_links == 5
    assert ctx.min_seconds_between_comments == 10
    assert ctx.max_length == 800
    assert ctx.premod_new_members is True
    assert ctx.new_member_daily_limit == 4


def test_rate_and_recent_texts(member: Any, story: Any, make_comment: Any) -> None:
    now = timezone.now()
    make_comment(member, "first words", created_at=now - timedelta(seconds=100))
    make_comment(
        member,
        "second words",
        created_at=now - timedelta(seconds=2),
        status=CommentStatus.PUBLISHED,
    )
    ctx = services.build_check_context(member, story, now=now)
    assert ctx.seconds_since_last_comment == pytest.approx(2, abs=0.01)
    assert list(ctx.recent_texts) == ["second words", "first words"]


def test_comments_today_uses_site_time_zone_day(
    member: Any, story: Any, make_comment: Any, settings: Any
) -> None:
    # Site day is Asia/Kolkata (UTC+5:30): local midnight is 18:30 UTC the day before.
    settings.TIME_ZONE = "Asia/Kolkata"
    now = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)  # 06:30 local on 10 March
    make_comment(member, "yesterday local", created_at=datetime(2026, 3, 9, 18, 0, tzinfo=UTC))
    make_comment(member, "today local a", created_at=datetime(2026, 3, 9, 19, 0, tzinfo=UTC))
    make_comment(member, "today local b", created_at=datetime(2026, 3, 10, 0, 30, tzinfo=UTC))
    assert services.build_check_context(member, story, now=now).comments_today == 2


def test_thread_and_story_author_names(
    member: Any, other_member: Any, story: Any, make_comment: Any
) -> None:
    author = Author.objects.create(name="Priya Raman", slug="priya-raman")
    story.authors.add(author)
    story.save()
    make_comment(other_member, "hello", author_name="Dave D")
    make_comment(None, "imported", author_name="Old Timer")
    make_comment(member, "mine", author_name="Alice")
    ctx = services.build_check_context(member, story)
    assert set(ctx.thread_names) == {"Dave D", "Old Timer"}
    assert list(ctx.story_author_names) == ["Priya Raman"]


def test_new_member_by_comment_count_and_age(member: Any, story: Any, make_comment: Any) -> None:
    conf = services.thresholds_for(story)
    services.update_thresholds(conf, {"new_member_comments": 2, "new_member_days": 0}, None)
    assert services.build_check_context(member, story).author_is_new_member is True
    make_comment(member, "one", status=CommentStatus.PUBLISHED)
    make_comment(member, "two", status=CommentStatus.PUBLISHED)
    assert services.build_check_context(member, story).author_is_new_member is False

    services.update_thresholds(conf, {"new_member_comments": 0, "new_member_days": 7}, None)
    assert services.build_check_context(member, story).author_is_new_member is True
    member.date_joined = timezone.now() - timedelta(days=8)
    member.save()
    assert services.build_check_context(member, story).author_is_new_member is False


def test_word_list_change_seen_by_next_check(
    member: Any, moderator: Any, story: Any, fake_engine: list
) -> None:
    services.check_text("hello", member, story)
    assert fake_engine[-1].banned_words == ()
    entry = services.add_word("  Rotten   Egg ", "banned", moderator)
    services.add_word("shady", "suspect", moderator)
    services.check_text("hello", member, story)
    assert fake_engine[-1].banned_words == ("rotten egg",)
    assert fake_engine[-1].suspect_words == ("shady",)
    services.remove_word(entry, moderator)
    services.check_text("hello", member, story)
    assert fake_engine[-1].banned_words == ()


def test_word_saved_outside_services_also_invalidates(member: Any, story: Any) -> None:
    assert services.word_lists()["banned"] == ()
    ModerationWord.objects.create(word="Gadha", kind="banned")
    assert services.word_lists()["banned"] == ("gadha",)


def test_anonymous_context(story: Any) -> None:
    ctx = services.build_check_context(None, story)
    assert ctx.author_banned is False and ctx.comments_today == 0


def test_member_status_none_is_normal(member: Any) -> None:
    assert services.member_status(member).state == "normal"
    assert not MemberStatus.objects.exists()


def test_story_names_come_from_headline_and_standfirst(member: Any, make_story: Any) -> None:
    story = make_story("Wankhede crowd cheers as Shitole hits a century")
    story.standfirst = "The Scunthorpe-born coach Dick Cheney (no relation) watched from the stand."
    story.save()
    ctx = services.build_check_context(member, story)
    assert {"Wankhede", "Shitole", "Scunthorpe", "Cheney"} <= set(ctx.story_names)
    # Common words of a Title Case headline are not names.
    assert "Crowd" not in ctx.story_names and "crowd" not in ctx.story_names
