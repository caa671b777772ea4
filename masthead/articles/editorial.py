"""What counts as an editorial update of a story: the change that earns "Updated".

Readers read "Updated 09:31 pm" on a dateline as "the story changed". Publishing a new
access level, comment settings or tags changes what the page row holds without changing
the story, so the update time is taken only from changes to :data:`EDITORIAL_FIELDS`,
compared with the live version stored before the save.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

#: Fields whose change is an editorial update of a story. Access level, comment
#: settings, tags, slug, SEO fields and scheduling are not.
EDITORIAL_FIELDS = (
    "title",
    "standfirst",
    "dateline",
    "body",
    "lead_image",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
)


def _without_block_ids(data: Any) -> Any:
    """StreamField JSON with the block ``id`` keys removed (ids change on re-import)."""
    if isinstance(data, list):
        return [_without_block_ids(item) for item in data]
    if isinstance(data, dict):
        return {k: _without_block_ids(v) for k, v in data.items() if k != "id"}
    return data


def editorial_snapshot(story: Any) -> dict[str, Any]:
    """The values of :data:`EDITORIAL_FIELDS` of ``story``, comparable between versions."""
    snapshot: dict[str, Any] = {}
    for name in EDITORIAL_FIELDS:
        field = story._meta.get_field(name)
        if name == "body":
            raw = field.get_prep_value(story.body) or []
            snapshot[name] = _without_block_ids(json.loads(raw) if isinstance(raw, str) else raw)
        else:
            snapshot[name] = getattr(story, field.attname)
    return snapshot


def revised_at_for_save(story: Any, update_fields: Iterable[str] | None) -> Any:
    """The ``revised_at`` that saving ``story`` now should store.

    Now, when the save publishes an editorial change over a version readers have seen
    (the stored row of a page published before, live or since unpublished); otherwise
    the stored value, so restoring an older revision's content (scheduling, reverting)
    never moves the update time back. A first publication is not an update.
    """
    if not story.pk:
        return story.revised_at
    if update_fields is not None and not set(update_fields) & set(EDITORIAL_FIELDS):
        return story.revised_at
    stored = type(story)._default_manager.filter(pk=story.pk).first()
    if stored is None:
        return story.revised_at
    if (
        story.live
        and stored.first_published_at is not None
        and editorial_snapshot(stored) != editorial_snapshot(story)
    ):
        return timezone.now()
    return stored.revised_at
