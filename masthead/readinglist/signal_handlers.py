"""Finish a save started while signed out, once the reader signs in (any way) in that browser."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from masthead.readinglist.services import PENDING_SESSION_KEY, StoryNotFound, find_story, save_story


@receiver(user_logged_in, dispatch_uid="masthead_readinglist_pending_save")
def complete_pending_save(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any
) -> None:
    """Save the story kept in the session by an anonymous POST to ``/saved/add/``."""
    session = getattr(request, "session", None)
    if session is None or user is None:
        return
    pending = session.pop(PENDING_SESSION_KEY, None)
    if pending is None:
        return
    try:
        save_story(user, find_story(pending))
    except StoryNotFound:
        return
