"""Browser test: a reply shows in the reader's header count and their replies list, and
marking it seen clears the count."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from masthead.comments import actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def wagtail_root(transactional_db) -> None:  # noqa: ANN001
    """Recreate the locale and page-tree root that Wagtail's migrations made, when an
    earlier transactional test has flushed them (live_server tests flush the database)."""
    from django.conf import settings as dj
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(dj.LANGUAGE_CODE)
    )
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))


def test_reply_shows_in_header_count_and_list(
    browser, live_server, alice, bob, make_story, artifacts_dir
):
    story = make_story("Rains flood the old city")
    top = actions.post_comment(alice, story, "A comment worth answering.").comment
    session = Client()
    session.force_login(alice)
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(live_server.url + story.url)
    assert page.locator(".masthead__account .reply-count").count() == 0

    reply = actions.post_comment(bob, story, "Bob answers Alice here.", parent=top).comment
    page.goto(live_server.url + story.url)
    count = page.locator(".masthead__account .reply-count")
    assert count.text_content() == "1 new reply"
    count.click()
    page.wait_for_url("**/comments/mine/#replies")
    item = page.locator(f'#replies [data-reply="{reply.pk}"]')
    assert "Bob answers Alice here." in item.text_content()
    assert "New" in item.text_content()
    page.screenshot(path=str(artifacts_dir / "reply-notifications.png"), full_page=True)
    page.click("[data-mark-seen]")
    page.wait_for_url("**/comments/mine/#replies")
    assert page.locator(".masthead__account .reply-count").count() == 0
    assert page.locator(f'#replies [data-reply="{reply.pk}"]').count() == 1  # still listed
    context.close()
