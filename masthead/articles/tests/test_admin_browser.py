"""An editor works on a bulk-loaded story in the Wagtail admin, in Chromium: schedule an
update (the story stays online), revert, unpublish and edit."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from masthead.articles.models import StoryPage
from masthead.articles.services import bulk_story_load, ensure_section, upsert_story
from masthead.articles.text_import import ParsedStory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "an-Editor-passphrase-77"  # noqa: S105 - throwaway account


def _status(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def _publish(page) -> None:  # noqa: ANN001 - playwright Page
    """Press the editor's Publish action (in the footer's dropdown) and wait for the save."""
    page.locator(".w-dropdown-button").get_by_role("button", name="More actions").click()
    button = page.locator("button[name='action-publish']")
    button.wait_for(state="visible")
    with page.expect_navigation():
        button.click()


def test_schedule_revert_unpublish_and_edit_a_loaded_story(
    browser, live_server, home, artifacts_dir
):
    world = ensure_section("world", "World")
    parsed = ParsedStory(
        headline="TV future in the hands of viewers",
        standfirst="Viewers will choose what they watch and when.",
        published_at=timezone.now() - timedelta(days=30),
        updated_at=None,
        dateline="London",
        caption="",
        paragraphs=["Home theatre systems are the new battleground.", "A second paragraph."],
    )
    with bulk_story_load() as written:  # the way load_demo loads the news corpus
        story = upsert_story(world, parsed, "bbc:tech/001.txt", with_revision=False).story
        written.append(story.pk)
    get_user_model().objects.create_superuser("editor", "editor@example.com", PASSWORD)
    story_url = live_server.url + story.url
    assert _status(story_url)[0] == 200

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(live_server.url + "/admin/login/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")

        # 1. Schedule an update for tomorrow: the story stays online with its live text.
        page.goto(f"{live_server.url}/admin/pages/{story.pk}/edit/")
        page.fill("#id_title", "TV future: a scheduled new headline")
        page.click("[data-side-panel-toggle='status']")
        page.get_by_role("button", name="Set schedule").first.click()
        go_live = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
        # typed in without focusing the field: its date picker would cover the dialog's buttons
        page.locator("#id_go_live_at").evaluate(
            "(el, v) => { el.value = v; el.dispatchEvent(new Event('change', {bubbles: true})); }",
            go_live,
        )
        page.get_by_role("button", name="Save schedule").click()
        _publish(page)
        story.refresh_from_db()
        assert story.live, "scheduling an update took the story offline"
        code, html = _status(story_url)
        assert code == 200 and "TV future in the hands of viewers" in html
        assert "a scheduled new headline" not in html
        assert story.revisions.filter(approved_go_live_at__isnull=False).count() == 1

        # 2. Cancel the schedule (a scheduled page is locked), then revert to the loaded
        #    revision and publish it now.
        page.goto(f"{live_server.url}/admin/pages/{story.pk}/edit/")
        with page.expect_navigation():
            page.get_by_role("button", name="Cancel scheduled publish").click()
        story.refresh_from_db()
        assert story.live and _status(story_url)[0] == 200
        first = story.revisions.order_by("created_at", "pk").first()
        page.goto(f"{live_server.url}/admin/pages/{story.pk}/revisions/{first.pk}/revert/")
        page.fill("#id_title", "TV future in the hands of viewers (revised)")
        _publish(page)
        story.refresh_from_db()
        assert story.live and story.title == "TV future in the hands of viewers (revised)"
        assert not story.revisions.filter(approved_go_live_at__isnull=False).exists()
        assert "(revised)" in _status(story_url)[1]

        # 3. Unpublish: the URL answers 404.
        page.goto(f"{live_server.url}/admin/pages/{story.pk}/unpublish/")
        with page.expect_navigation():
            page.get_by_role("button", name="Yes, unpublish it").click()
        story.refresh_from_db()
        assert not story.live and _status(story_url)[0] == 404

        # 4. Edit and publish again: back online with the new headline.
        page.goto(f"{live_server.url}/admin/pages/{story.pk}/edit/")
        page.fill("#id_title", "TV future, edited and published again")
        _publish(page)
        story = StoryPage.objects.get(pk=story.pk)
        assert story.live and story.live_revision_id == story.latest_revision_id
        code, html = _status(story_url)
        assert code == 200 and "TV future, edited and published again" in html
        assert "Updated" in story.dateline_line  # a headline change is an editorial update
    finally:
        page.screenshot(path=str(artifacts_dir / "admin-loaded-story.png"), full_page=True)
        page.close()
