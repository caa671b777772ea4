"""Sessions from before saving needed a confirmed POST may still hold a save started while
signed out; it is dropped at sign-in, never applied (a link on another site could have
planted it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

#: The session key those older sessions used.
LEGACY_PENDING_SESSION_KEY = "masthead_pending_save"


@receiver(user_logged_in, dispatch_uid="masthead_readinglist_pending_save")
def drop_planted_save(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any
) -> None:
    """Forget a pending save left in the session; saving takes the reader's own POST."""
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(LEGACY_PENDING_SESSION_KEY, None)
