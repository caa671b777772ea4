"""Fixtures for the moderation queue and services tests (Django side).

Imported with ``from .django_fixtures import *`` by ``test_queue_*`` / ``test_services_*``
(the package conftest belongs to the engine tests, which need no Django).

``fake_engine`` replaces the guideline engine with one that records the context it was
given and publishes, so tests that are not about the engine load no ML model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from masthead.comments.models import Comment, CommentStatus
from masthead.moderation import services
from masthead.moderation.guidelines.base import (
    CheckContext,
    Decision,
    ReasonCode,
    RuleResult,
    Span,
    Verdict,
)

__all__ = [
    "_clear_cache",
    "story",
    "member",
    "other_member",
    "moderator",
    "make_comment",
    "fake_engine",
    "held_verdict",
]


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Word lists are cached; a rolled-back test must not leave them behind."""
    cache.clear()


@pytest.fixture
def story(make_story: Callable[..., Any]) -> Any:
    """A published story with comments open."""
    return make_story("Floods in the valley")


@pytest.fixture
def member(db: None) -> Any:
    """alice, an ordinary member."""
    return get_user_model().objects.create_user(
        "alice", "alice@example.com", "pw-alice-123", first_name="Alice"
    )


@pytest.fixture
def other_member(db: None) -> Any:
    """dave, another member."""
    return get_user_model().objects.create_user("dave", "dave@example.com", "pw-dave-123")


@pytest.fixture
def moderator(db: None) -> Any:
    """carol, a member of the Moderators group (created by the data migration)."""
    user = get_user_model().objects.create_user("carol", "carol@example.com", "pw-carol-123")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def make_comment(story: Any) -> Callable[..., Comment]:
    """Factory: ``make_comment(author, body, status=..., verdict=..., created_at=...)``."""

    def factory(
        author: Any = None,
        body: str = "A thoughtful comment about the story.",
        *,
        status: str = CommentStatus.PENDING,
        verdict: dict[str, Any] | None = None,
        created_at: datetime | None = None,
        on: Any = None,
        parent: Comment | None = None,
        author_name: str | None = None,
    ) -> Comment:
        return Comment.objects.create(
            story=on or story,
            author=author,
            author_name=author_name
            if author_name is not None
            else (services.display_name(author) or "Guest"),
            body=body,
            status=status,
            verdict=verdict or {},
            created_at=created_at or timezone.now(),
            parent=parent,
        )

    return factory


def held_verdict(text: str, word: str = "idiot", score: float = 0.62) -> dict[str, Any]:
    """A HOLD verdict dict as the engine would store it, with a span over ``word``."""
    start = text.find(word)
    spans = [Span(start, start + len(word), word)] if start >= 0 else []
    return Verdict(
        [
            RuleResult(
                "abuse",
                Decision.HOLD,
                ReasonCode.TOXIC,
                "Please keep it civil.",
                score=score,
                spans=spans,
            ),
            RuleResult("language", details={"language": "en", "confidence": 0.97}),
        ]
    ).to_dict()


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> list[CheckContext]:
    """Replace the engine: publish everything and record each ``CheckContext`` seen."""
    seen: list[CheckContext] = []

    def check(text: str, ctx: CheckContext) -> Verdict:
        seen.append(ctx)
        return Verdict([RuleResult("fake")])

    monkeypatch.setattr(services, "engine_check", check)
    return seen
