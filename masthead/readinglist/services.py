"""Reading-list operations. Saving never touches the meter (issue 3: no extra count)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from masthead.articles.models import StoryPage
from masthead.core.ids import parse_id
from masthead.readinglist.models import SavedStory


class StoryNotFound(LookupError):
    """The story id is missing or malformed (``status`` 400), or unknown, deleted or
    not live (``status`` 404)."""

    def __init__(self, message: str, status: int = 404) -> None:
        super().__init__(message)
        self.status = status


def find_story(raw_id: Any) -> StoryPage:
    """Return the live, public story with id ``raw_id`` (a str or int).

    :raises StoryNotFound: with a reader-facing message.
    """
    if raw_id in (None, ""):
        raise StoryNotFound("No story was given.", 400)
    story_id = parse_id(raw_id)  # ASCII digits only: not "+24", "2_4" or "٢٤"
    if story_id is None:
        raise StoryNotFound("That is not a story id.", 400)
    story = StoryPage.objects.live().public().filter(pk=story_id).first()
    if story is None:
        raise StoryNotFound("That story does not exist or is no longer published.")
    return story


def save_story(user: Any, story: StoryPage) -> tuple[SavedStory, bool]:
    """Save ``story`` for ``user``; repeat saves keep the first. Returns ``(saved, created)``."""
    existing = SavedStory.objects.filter(user=user, story=story).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return SavedStory.objects.create(user=user, story=story), True
    except IntegrityError:  # a concurrent save won the race
        return SavedStory.objects.get(user=user, story=story), False


def remove_story(user: Any, story_id: int) -> bool:
    """Remove story ``story_id`` from ``user``'s list; True if something was removed."""
    deleted, _ = SavedStory.objects.filter(user=user, story_id=story_id).delete()
    return bool(deleted)


def saved_ids(user: Any) -> set[int]:
    """Ids of the stories ``user`` has saved (empty for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(SavedStory.objects.filter(user=user).values_list("story_id", flat=True))


def saved_list(user: Any) -> list[SavedStory]:
    """The user's saved stories, newest first, with live stories only."""
    return list(
        SavedStory.objects.filter(user=user, story__live=True)
        .select_related("story")
        .order_by("-saved_at", "-id")
    )


def export_saved(user: Any) -> list[dict[str, Any]]:
    """JSON-ready list of the user's saved stories (for "export my data")."""
    return [
        {
            "story_id": s.story_id,
            "headline": s.story.title,
            "url": s.story.url,
            "saved_at": s.saved_at.isoformat(),
        }
        for s in SavedStory.objects.filter(user=user).select_related("story")
    ]
