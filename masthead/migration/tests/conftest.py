"""Shared fixtures: paths to hand-written samples and to the real shared exports."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

FILES = Path(__file__).parent / "files"
REPO = Path(__file__).resolve().parents[3]
# MASTHEAD_SHARED_DATA names the shared folder (its data/ holds the exports), as for the
# rest of the suite and the settings.
SHARED = Path(os.environ.get("MASTHEAD_SHARED_DATA", REPO.parent / "shared")) / "data"


def shared_file(relative: str) -> Path:
    """Path of a real export under the shared data folder; skip the test if absent."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(
            f"shared data file {path} not found (set MASTHEAD_SHARED_DATA to the shared folder)"
        )
    return path


# --- Django-side fixtures (importer, claiming) ---------------------------------------


@pytest.fixture
def story_at(home):  # noqa: ANN001
    """Factory ``story_at("/news/story-1")`` -> a published StoryPage at that site path."""
    from masthead.articles.models import StoryPage
    from masthead.articles.services import ensure_section, paragraphs_to_body

    def factory(path: str, title: str = "", **fields: object) -> StoryPage:
        section_slug, slug = path.strip("/").split("/")
        section = ensure_section(section_slug, section_slug.title())
        story = StoryPage(
            title=title or f"Story {slug}",
            slug=slug,
            standfirst="Standfirst.",
            body=paragraphs_to_body(["First paragraph.", "Second paragraph."]),
            **fields,
        )
        section.add_child(instance=story)
        story.save_revision().publish()
        story.refresh_from_db()
        return story

    return factory


@pytest.fixture
def run_import():
    """``run_import(path, "--format", "disqus", ...)`` -> the command's stdout."""
    from django.core.management import call_command

    def runner(*args: object) -> str:
        out = io.StringIO()
        call_command("import_comments", *[str(a) for a in args], stdout=out)
        return out.getvalue()

    return runner
