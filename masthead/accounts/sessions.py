"""``SESSION_ENGINE``: Django's cached database sessions, refusing keys Django never makes.

Django's own session keys are 32 lower-case letters and digits
(``django.contrib.sessions.backends.base.VALID_KEY_CHARS``). Django accepts any cookie
value of 8 characters or more as a key to look up, so a 3,000-character cookie became a
cache key, and the file cache's key warning wrote it whole into the log. Here a value
that is not 8–64 letters and digits is no session at all (a fresh anonymous one), before
any cache or database lookup. Storage is unchanged (same table, same cache keys).
"""

from __future__ import annotations

import re

from django.contrib.sessions.backends import cached_db

_KEY_RE = re.compile(r"[a-z0-9]{8,64}")


class SessionStore(cached_db.SessionStore):
    """:class:`django.contrib.sessions.backends.cached_db.SessionStore` with stricter keys."""

    def _validate_session_key(self, key: str | None) -> bool:
        return bool(key) and _KEY_RE.fullmatch(key) is not None  # type: ignore[arg-type]
