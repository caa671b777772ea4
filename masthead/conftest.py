"""Shared pytest fixtures: the page tree, story factory, shared-data paths, browser.

Personas follow the architecture notes: alice (member), bob (subscriber),
carol (moderator/staff). Apps add their own fixtures in their ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings

from masthead.articles.models import AccessLevel, HomePage, SectionPage, StoryPage
from masthead.articles.services import ensure_home, ensure_section, paragraphs_to_body

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"


def shared_path(relative: str) -> Path:
    """Return ``<shared>/<relative>``, skipping the test with a clear message if absent."""
    path = Path(settings.MASTHEAD_SHARED_DATA) / relative
    if not path.exists():
        pytest.skip(
            f"shared file {path} is absent (tests read ../shared by path; set MASTHEAD_SHARED_DATA)"
        )
    return path


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Start every test with an empty cache (pages, rate-limit counters, versions)."""
    from django.core.cache import cache

    from masthead.core.page_cache import reset_local

    cache.clear()
    reset_local()
    yield
    cache.clear()
    reset_local()


@pytest.fixture
def home(db) -> HomePage:  # noqa: ANN001
    """The site's home page, created as load_demo does."""
    return ensure_home(settings.MASTHEAD_SITE_NAME)


@pytest.fixture
def world(home: HomePage) -> SectionPage:
    """The World section."""
    return ensure_section("world", "World")


@pytest.fixture
def make_story(world: SectionPage) -> Callable[..., StoryPage]:
    """Return a factory: ``make_story(title=..., access_level=..., paragraphs=[...])`` → published story."""
    counter = {"n": 0}

    def factory(
        title: str | None = None,
        *,
        section: SectionPage | None = None,
        access_level: str = AccessLevel.METERED,
        paragraphs: list[str] | None = None,
        standfirst: str = "A standfirst that sums the story up.",
        published_at: datetime | None = None,
        **fields: object,
    ) -> StoryPage:
        counter["n"] += 1
        n = counter["n"]
        story = StoryPage(
            title=title or f"Story number {n}",
            slug=f"story-{n}",
            standfirst=standfirst,
            access_level=access_level,
            body=paragraphs_to_body(
                paragraphs
                or [
                    f"Lead paragraph of story {n}.",
                    f"Second paragraph of story {n}.",
                    f"Third paragraph of story {n}.",
                ]
            ),
            published_at=published_at,
            **fields,
        )
        (section or world).add_child(instance=story)
        story.save_revision().publish()
        story.refresh_from_db()
        return story

    return factory


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's Chromium; skip (or fail under CI=true) when it is missing."""
    if not Path(CHROMIUM).exists():
        message = (
            f"{CHROMIUM} is not installed (apt-get install -y chromium); browser tests need it"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    """A headless Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-quic",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Folder for screenshots and reports (``test-artifacts/``, git-ignored)."""
    path = Path(settings.PROJECT_DIR) / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


def have_command(name: str) -> bool:
    """Return True when ``name`` is on PATH."""
    return shutil.which(name) is not None
