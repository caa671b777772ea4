"""Session activity tracking for the account page's list of sessions, at a bounded cost."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse


def seen_key(session_key: str) -> str:
    """Cache key present while session ``session_key``'s activity was recorded less than
    ``MASTHEAD_SESSION_TRACK_SECONDS`` ago (the edge cache serves a member only then)."""
    return f"masthead:session-seen:{session_key}"


class ThrottledUserSessionsMiddleware:
    """allauth's session tracking (last seen, IP address, user agent) at most once every
    ``MASTHEAD_SESSION_TRACK_SECONDS`` (default 300) per session.

    allauth's own ``UserSessionsMiddleware`` writes the session's row in a transaction on
    every signed-in request; with several tabs of one reader (or a benchmark) those
    writes queue on the row lock. Here a cache ``add`` (atomic in Redis and in the
    database-backed caches) lets one request per interval through to
    ``UserSession.objects.create_from_request``; the account page's "last seen" is then
    at most that many seconds old. Sign-in still records the session at once (allauth's
    ``user_logged_in`` handling is unchanged).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.interval = int(getattr(settings, "MASTHEAD_SESSION_TRACK_SECONDS", 300))
        self._recent: dict[str, float] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        key = getattr(session, "session_key", None)
        now = time.monotonic()
        if (
            key
            and now - self._recent.get(key, -1e9) >= self.interval
            and user is not None
            and user.is_authenticated
        ):
            if len(self._recent) >= 10000:
                self._recent.clear()
            self._recent[key] = now  # this process asks the shared cache once per interval
            if not cache.add(seen_key(key), 1, self.interval):
                return self.get_response(request)
            from allauth.usersessions.models import UserSession

            UserSession.objects.create_from_request(request, user=user, session=session)
        return self.get_response(request)
