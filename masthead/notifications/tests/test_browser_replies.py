"""Browser test: a reply shows in the reader's header count and their replies list, and
marking it seen clears the count."""

from __future__ import annotations

import pytest

from masthead.comments import actions
from masthead.testing.browser import (
    signed_in_context,
    wagtail_root,  # noqa: F401 - autouse fixture
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reply_shows_in_header_count_and_list(
    browser, live_server, alice, bob, make_story, artifacts_dir
):
    story = make_story("Rains flood the old city")
    top = actions.post_comment(alice, story, "A comment worth answering.").comment
    context = signed_in_context(browser, live_server.url, alice)
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
