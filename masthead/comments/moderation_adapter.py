"""The one place comments call the guideline check engine.

:func:`check_comment_text` delegates to ``masthead.moderation.services.check_text``
(the Django side of moderation: member status, word lists and thresholds from the
database) when that module exists. Until then it builds a
:class:`~masthead.moderation.guidelines.base.CheckContext` from what the comments
app knows (the author's recent texts, seconds since their last comment, comments
today, names in the thread, the byline) and calls the pure-Python engine
``masthead.moderation.guidelines.pipeline.check_comment``; if the pipeline itself
is not there yet, the engine's basic rules (empty, length, control characters)
run so a verdict is always produced.

Tests that are not about the guidelines monkeypatch
``masthead.comments.actions.check_comment_text``.
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from masthead.moderation.guidelines.base import CheckContext, Verdict

if TYPE_CHECKING:
    from masthead.articles.models import StoryPage
    from masthead.comments.models import Comment

RECENT_TEXTS = 10  # how many of the author's latest comments feed REPEAT_POST
RECENT_HOURS = 24


def _optional(module: str, name: str) -> Any | None:
    """Return ``module.name`` or None when ``module`` (not one of its imports) is absent."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise
    return getattr(mod, name, None)


def build_context(author: Any, story: StoryPage, parent: Comment | None = None) -> CheckContext:
    """Return a CheckContext from the comments tables (used until modqueue's services exist).

    ``author`` is a saved user; times are measured against ``timezone.now()``.
    """
    from masthead.comments.models import Comment

    now = timezone.now()
    mine = Comment.objects.filter(author=author).order_by("-created_at")
    recent = list(
        mine.filter(created_at__gte=now - timedelta(hours=RECENT_HOURS)).values_list(
            "body", flat=True
        )[:RECENT_TEXTS]
    )
    last = mine.values_list("created_at", flat=True).first()
    local_midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    names = (
        Comment.objects.filter(story=story)
        .exclude(author=author)
        .exclude(author_name="")
        .values_list("author_name", flat=True)
        .distinct()[:200]
    )
    return CheckContext(
        max_length=settings.MASTHEAD_COMMENTS_MAX_LENGTH,
        seconds_since_last_comment=(now - last).total_seconds() if last else None,
        comments_today=mine.filter(created_at__gte=local_midnight).count(),
        recent_texts=tuple(recent),
        thread_names=tuple(names),
        story_author_names=tuple(story.authors.values_list("name", flat=True)),
        now=now,
    )


def check_comment_text(
    text: str, author: Any, story: StoryPage, parent: Comment | None = None
) -> Verdict:
    """Run the community-guideline check on ``text`` written by ``author`` under ``story``.

    Returns the engine's :class:`Verdict` (``.decision`` PUBLISH/HOLD/REJECT,
    ``.reasons``, ``.message`` for the writer). Never returns None.
    """
    check_text = _optional("masthead.moderation.services", "check_text")
    if check_text is not None:
        return check_text(text, author, story, parent)
    ctx = build_context(author, story, parent)
    check_comment = _optional("masthead.moderation.guidelines.pipeline", "check_comment")
    if check_comment is not None:
        return check_comment(text, ctx)
    from masthead.moderation.guidelines.rules.basic import ControlCharsRule, EmptyRule, LengthRule

    return Verdict(
        results=[rule.check(text, ctx) for rule in (EmptyRule(), LengthRule(), ControlCharsRule())]
    )
