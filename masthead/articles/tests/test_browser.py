"""What a reader sees in a real browser (Playwright driving Debian's Chromium)."""

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Collection

from masthead.articles.models import StoryPage
from masthead.conftest import shared_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_seed_story_and_home_page_in_chromium(browser, live_server, artifacts_dir, home):
    seed = shared_path("seed/000_340efefdbb3cb629.txt")
    if not Collection.objects.exists():  # an earlier transactional test flushed the tables
        Collection.add_root(name="Root")
    call_command("load_demo", "--shared", str(seed.parent.parent), "--no-corpus", stdout=StringIO())
    story = StoryPage.objects.get(external_id=f"file:{seed.name}")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + story.url)
    assert (
        page.locator("h1").inner_text() == "Moscow invites Taliban to Afghanistan talks on Oct. 20"
    )
    assert (
        page.locator(".story__standfirst").inner_text()
        == "Putin discusses Afghan situation with Tajik President"
    )
    assert (
        page.locator(".story__dateline").inner_text()
        == "October 07, 2021 09:31 pm | Updated 09:31 pm IST - Moscow"
    )
    assert page.locator("figcaption").first.inner_text() == "A Taliban soldier in Kabul."
    assert page.locator(".story__lead img").evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=str(artifacts_dir / "seed-story.png"), full_page=True)
    page.goto(live_server.url + "/")
    assert page.title().startswith(home.title) or "latest news" in page.title()
    assert page.locator(".home-section h2").count() >= 5
    assert (
        page.get_by_role(
            "link", name="Moscow invites Taliban to Afghanistan talks on Oct. 20"
        ).count()
        >= 1
    )
    page.screenshot(path=str(artifacts_dir / "home.png"), full_page=True)
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(live_server.url + story.url)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.screenshot(path=str(artifacts_dir / "seed-story-phone.png"), full_page=True)
    page.close()
    phone.close()
