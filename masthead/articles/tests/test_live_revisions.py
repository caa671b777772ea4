"""Every way a story enters leaves a Wagtail page with a live revision, so editors can
schedule, revert and unpublish it; a data migration repairs sites loaded before."""

from __future__ import annotations

import importlib
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page

from masthead.articles.models import AccessLevel, StoryPage
from masthead.articles.services import bulk_story_load, upsert_story
from masthead.articles.text_import import ParsedStory

pytestmark = pytest.mark.django_db


def _parsed(headline: str = "Bulk loaded headline") -> ParsedStory:
    return ParsedStory(
        headline=headline,
        standfirst="A standfirst for the bulk story.",
        published_at=timezone.now() - timedelta(days=3),
        updated_at=None,
        dateline="London",
        caption="",
        paragraphs=["First paragraph.", "Second paragraph."],
    )


def _bulk_story(world) -> StoryPage:
    with bulk_story_load() as written:
        result = upsert_story(world, _parsed(), "bulk:1", with_revision=False)
        written.append(result.story.pk)
    return StoryPage.objects.get(pk=result.story.pk)


def test_bulk_loaded_story_has_a_live_revision_of_what_readers_see(world):
    story = _bulk_story(world)
    assert story.live and story.live_revision_id is not None
    assert story.latest_revision_id == story.live_revision_id
    assert not story.has_unpublished_changes
    restored = story.live_revision.as_object()
    assert restored.title == "Bulk loaded headline"
    assert restored.paragraphs_text == ["First paragraph.", "Second paragraph."]


def test_scheduling_an_update_of_a_bulk_loaded_story_keeps_it_online(world, client):
    story = _bulk_story(world)
    url = story.url
    story.title = "A scheduled new headline"
    story.go_live_at = timezone.now() + timedelta(hours=2)
    story.save_revision().publish()
    story.refresh_from_db()
    assert story.live
    response = client.get(url)
    assert response.status_code == 200
    assert "Bulk loaded headline" in response.content.decode()
    assert "A scheduled new headline" not in response.content.decode()


def test_reimport_in_bulk_refreshes_the_live_revision(world):
    story = _bulk_story(world)
    with bulk_story_load():
        upsert_story(world, _parsed("Corrected headline"), "bulk:1", with_revision=False)
    story.refresh_from_db()
    assert story.title == "Corrected headline"
    assert story.live_revision.as_object().title == "Corrected headline"


def test_import_story_text_and_load_demo_leave_live_revisions(tmp_path, home):
    call_command("load_demo", "--shared", str(tmp_path), stdout=StringIO())
    stories = StoryPage.objects.all()
    assert stories.exists()
    assert not stories.filter(live_revision__isnull=True).exists()
    assert not Page.objects.filter(live=True, live_revision__isnull=True).exists()


def test_migration_gives_live_pages_without_a_revision_one(world):
    story = _bulk_story(world)
    kept = StoryPage.objects.get(pk=story.pk)
    Page.objects.filter(pk__in=[story.pk, world.pk]).update(
        live_revision=None, latest_revision=None
    )
    migration = importlib.import_module(
        "masthead.articles.migrations.0003_live_revisions_for_loaded_pages"
    )
    migration.add_live_revisions(apps, None)
    story = StoryPage.objects.get(pk=story.pk)
    assert story.live_revision_id and story.latest_revision_id == story.live_revision_id
    restored = story.live_revision.as_object()
    assert (restored.title, restored.standfirst) == (kept.title, kept.standfirst)
    assert restored.paragraphs_text == kept.paragraphs_text
    assert Page.objects.get(pk=world.pk).live_revision_id is not None
    # a second run has nothing left to do
    count = story.revisions.count()
    migration.add_live_revisions(apps, None)
    assert story.revisions.count() == count


def test_only_an_editorial_change_adds_updated_to_the_dateline(make_story):
    story = make_story("Headline as first published")
    assert story.display_updated is None
    StoryPage.objects.filter(pk=story.pk).update(
        published_at=timezone.now() - timedelta(hours=5),
        first_published_at=timezone.now() - timedelta(hours=5),
    )
    story.refresh_from_db()
    story.access_level = AccessLevel.SUBSCRIBERS
    story.save_revision().publish()
    story.refresh_from_db()
    assert story.access_level == AccessLevel.SUBSCRIBERS
    assert story.display_updated is None
    assert "Updated" not in story.dateline_line
    story.title = "Headline after a correction"
    story.save_revision().publish()
    story.refresh_from_db()
    assert story.display_updated is not None
    assert "Updated" in story.dateline_line
