"""Browser test: script payloads posted as comments never run, and show as text."""

from __future__ import annotations

import pytest

from masthead.comments.models import Comment
from masthead.testing.browser import (
    signed_in_context,
    wagtail_root,  # noqa: F401 - autouse fixture
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


PAYLOADS = [
    "<script>window.__xss=1</script> is what I typed.",
    '<img src=x onerror="window.__xss=1"> is an image tag.',
    'Click javascript:window.__xss=1 or <a href="javascript:window.__xss=1">this link</a> now.',
]


def test_script_payloads_do_not_run(browser, live_server, alice, story, artifacts_dir):
    context = signed_in_context(browser, live_server.url, alice)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    url = live_server.url + story.url
    page.goto(url)
    for payload in PAYLOADS:
        page.fill("#comment-body", payload)
        with page.expect_response(lambda r: "/comments/story/" in r.url):
            page.click("#comment-form button[type=submit]")
        page.wait_for_selector("[data-comment-message]:not([hidden])")
        assert (
            page.text_content("#comment-form [data-comment-message]")
            == "Your comment is published."
        )
    assert Comment.objects.count() == 3
    assert page.evaluate("typeof window.__xss") == "undefined"  # inserted by the JS enhancement

    page.reload()  # server-rendered thread
    assert page.evaluate("typeof window.__xss") == "undefined"
    text = page.text_content("[data-comment-list]")
    for payload in PAYLOADS:
        assert payload in text  # shown as the writer typed it
    assert page.locator("[data-comment-list] img").count() == 0
    assert page.locator("[data-comment-list] script").count() == 0
    hrefs = page.eval_on_selector_all(
        "[data-comment-list] a", "els => els.map(e => e.getAttribute('href') || '')"
    )
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    page.screenshot(path=str(artifacts_dir / "comments-xss.png"), full_page=True)
    assert errors == []
    context.close()


def test_form_works_without_javascript_and_keeps_rejected_text(
    browser, live_server, alice, story, engine, artifacts_dir
):
    from masthead.moderation.guidelines.base import Decision, ReasonCode

    context = signed_in_context(browser, live_server.url, alice, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + story.url)
    engine.set(Decision.REJECT, ReasonCode.NOT_ENGLISH, "Please write your comment in English.")
    page.fill("#comment-body", "Kya haal hai sab ka?")
    page.click("#comment-form button[type=submit]")
    assert "Please write your comment in English." in page.text_content("#comment-form")
    assert page.input_value("#comment-body") == "Kya haal hai sab ka?"
    engine.set(Decision.PUBLISH)
    page.fill("#comment-body", "How is everyone coping with the rain?")
    page.click("#comment-form button[type=submit]")
    assert "Your comment is published." in page.text_content(".messages")
    assert "How is everyone coping with the rain?" in page.text_content("[data-comment-list]")
    page.screenshot(path=str(artifacts_dir / "comments-nojs.png"), full_page=True)
    context.close()
