"""The reader pages' design in Chromium: no horizontal overflow from 320 px, the section
navigation on one line (scrolling sideways on phones), held comments unlike replies, and
axe-core clean (the journey's axe-core script and rules)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Collection

from masthead.articles.demo import SECTIONS, placeholder_image
from masthead.articles.services import ensure_section
from masthead.comments.models import Comment, CommentStatus
from masthead.journey.tests.conftest import axe_script  # noqa: F401 - the journey's fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 390, 1280)
PASSWORD = "a-Design-passphrase-31"  # noqa: S105 - throwaway account


def _member(email: str, name: str) -> Any:
    first, last = name.split(" ", 1)
    user = get_user_model().objects.create_user(
        username=email.split("@")[0],
        email=email,
        password=PASSWORD,
        first_name=first,
        last_name=last,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _no_overflow(page: Any, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll, inner = page.evaluate(
            "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        assert scroll <= inner, f"{name} overflows at {width} px: {scroll} > {inner}"


def _axe(page: Any, script: Path, name: str) -> None:
    page.add_script_tag(path=str(script))
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});
          return {passes: r.passes.length, violations: r.violations.map(v => ({
            id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.html.slice(0, 200))}))};
        }"""
    )
    assert result["passes"] > 10, f"axe-core checked almost nothing on {name}"
    bad = [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]
    assert not bad, f"axe-core on {name}:\n" + json.dumps(bad, indent=2)


def test_reader_pages_fit_from_320px_and_pass_axe(
    browser,
    live_server,
    make_story,
    axe_script,  # noqa: F811 - the journey's fixture, imported above
    artifacts_dir,
):
    for slug, (title, description) in SECTIONS.items():
        ensure_section(slug, title, description)
    world = ensure_section("world")
    if not Collection.objects.exists():  # an earlier transactional test flushed the tables
        Collection.add_root(name="Root")
    long_word = "Supercalifragilisticexpialidocious" * 2
    story = make_story(
        f"Harbour city opens its first night market in twenty years {long_word}",
        section=world,
        lead_image=placeholder_image("world"),
        lead_image_caption="Stalls along the harbour wall on the first night.",
        lead_image_credit="Photo: A. Photographer / Masthead",
        published_at=timezone.now() - timedelta(hours=2),
    )
    for n in range(3):
        make_story(f"Another story on the front page, number {n}", section=world)
    nadia, priya = (
        _member("nadia@example.com", "Nadia Karim"),
        _member("priya@example.com", "Priya Raman"),
    )
    top = Comment.objects.create(
        story=story, author=priya, author_name="Priya Raman", status=CommentStatus.PUBLISHED,
        created_at=timezone.now() - timedelta(hours=1), body="The market will bring people back.",
    )  # fmt: skip
    Comment.objects.create(
        story=story, author=nadia, parent=top, depth=1, author_name="Nadia Karim",
        status=CommentStatus.PUBLISHED, created_at=timezone.now(), body="Agreed, it is busy already.",
    )  # fmt: skip
    Comment.objects.create(
        story=story, author=nadia, author_name="Nadia Karim", status=CommentStatus.PENDING,
        created_at=timezone.now(), body="Is it open on Sundays as well as Saturdays?",
    )  # fmt: skip

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        for name, path in (("home", "/"), ("section", world.url), ("story", story.url)):
            page.goto(live_server.url + path)
            _no_overflow(page, name)
            _axe(page, axe_script, name)
        # The section navigation: one line on a desktop, sideways scrolling on a phone.
        page.set_viewport_size({"width": 1280, "height": 900})
        tops = page.eval_on_selector_all(
            ".sections-nav li", "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
        )
        assert len(tops) == len(SECTIONS) and len(set(tops)) == 1, tops
        page.set_viewport_size({"width": 320, "height": 640})
        nav = page.eval_on_selector(
            ".sections-nav ul",
            "ul => [ul.scrollWidth > ul.clientWidth, getComputedStyle(ul).overflowX, new Set("
            "[...ul.children].map(li => li.offsetTop)).size]",
        )
        assert nav == [True, "auto", 1], nav
        # The lead photo's credit is on the page, readable (at least 12 px).
        credit = page.locator(".story__lead .credit")
        assert credit.inner_text().lower() == "photo: a. photographer / masthead"
        assert float(credit.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 12

        # Signed in as the writer of a held comment: held and reply look different.
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=login]", "nadia@example.com")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        page.goto(live_server.url + story.url + "#comments")
        held = page.locator(".comment--pending > .comment__inner")
        reply = page.locator(".comment__replies > .comment > .comment__inner").first
        assert held.count() == 1 and "Awaiting review" in held.inner_text()
        style = "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).borderTopStyle]"
        assert held.evaluate(style) != reply.evaluate(style)
        assert held.evaluate(style)[1] == "dashed"
        _no_overflow(page, "comments")
        _axe(page, axe_script, "comments")
        page.set_viewport_size({"width": 390, "height": 844})
        page.locator("#comments").screenshot(path=str(artifacts_dir / "design-comments.png"))
    finally:
        page.close()
