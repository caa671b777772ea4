"""Browser test: a double click on a reaction is one intent (it stays on), a later
single click clears it; comment times read like datelines, in the site's zone."""

from __future__ import annotations

import re

import pytest

from masthead.comments import actions
from masthead.comments.models import Comment, Reaction
from masthead.testing.browser import signed_in_context

from .test_browser_xss import wagtail_root  # noqa: F401 - autouse fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page_as(browser, live_server, user):  # noqa: ANN001, ANN202
    context = signed_in_context(browser, live_server.url, user)
    return context.new_page()


def test_double_click_on_like_keeps_it_liked(browser, live_server, alice, bob, story):
    comment = actions.post_comment(alice, story, "The new bridge opens next week.").comment
    page = _page_as(browser, live_server, bob)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if "/react/" in r.url else None)
    page.goto(live_server.url + story.url)
    like = page.locator(f"#comment-{comment.pk} button[data-reaction=like]")
    assert like.get_attribute("aria-pressed") == "false"
    like.dblclick()
    page.wait_for_function(
        f"() => document.querySelector('#comment-{comment.pk} button[data-reaction=like]')"
        ".getAttribute('aria-pressed') === 'true'"
    )
    page.wait_for_timeout(800)  # anything the second click might still send
    assert like.get_attribute("aria-pressed") == "true"
    assert like.locator("[data-like-count]").inner_text() == "1"
    assert Reaction.objects.get(comment=comment, user=bob).value == Reaction.LIKE
    assert Comment.objects.get(pk=comment.pk).like_count == 1
    assert len(posts) == 1
    # a later single click is a new intent: it clears the like
    like.click()
    page.wait_for_function(
        f"() => document.querySelector('#comment-{comment.pk} button[data-reaction=like]')"
        ".getAttribute('aria-pressed') === 'false'"
    )
    assert not Reaction.objects.filter(comment=comment, user=bob).exists()
    assert Comment.objects.get(pk=comment.pk).like_count == 0


def test_comment_times_read_like_datelines_with_the_zone(browser, live_server, alice, story):
    actions.post_comment(alice, story, "Times should say their zone.")
    page = _page_as(browser, live_server, alice)
    page.goto(live_server.url + story.url)
    shown = page.locator(".comment__time time").first.inner_text()
    # "December 08, 2026 03:41 am IST", the datelines' style, in the site's zone
    assert re.fullmatch(r"[A-Z][a-z]+ \d{2}, \d{4} \d{2}:\d{2} (am|pm) IST", shown), shown
    dateline = page.locator(".story__dateline").first.inner_text()
    assert "IST" in dateline
