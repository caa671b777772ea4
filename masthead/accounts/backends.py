"""Authentication backends that keep the signed-in user in the cache between requests.

Django's ``AuthenticationMiddleware`` loads the user row on every request of a
signed-in reader (``backend.get_user(user_id)``). On story pages that query is a
large part of a member's request, so these backends keep the user object in the
cache for :data:`USER_TTL` seconds. Everything else is Django's and allauth's:
``authenticate()`` is inherited unchanged, and Django still checks the session's auth
hash against the user's password hash on each request, so a password change still
ends the other sessions.

Freshness: every ``save()`` and deletion of a user drops the cached copy at once and
again after the commit (so a copy read just before the commit does not survive it).
A change made with ``QuerySet.update()``, which sends no signal, shows within
:data:`USER_TTL` seconds.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

USER_TTL = 60  # seconds


def user_key(user_id: Any) -> str:
    """Cache key of the cached user ``user_id``."""
    return f"masthead:auth-user:{user_id}"


def forget_user(user_id: Any) -> None:
    """Drop the cached copy of user ``user_id`` now and after the transaction commits."""
    key = user_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


class CachedUserMixin:
    """``get_user`` from the cache, else from the backend (and then cached)."""

    def get_user(self, user_id: Any) -> Any:
        key = user_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)  # type: ignore[misc]
            if user is not None:
                cache.set(key, user, USER_TTL)
        return user


class CachedModelBackend(CachedUserMixin, ModelBackend):
    """Django's ``ModelBackend`` (username and password), with a cached ``get_user``."""


class CachedAuthenticationBackend(CachedUserMixin, AuthenticationBackend):
    """allauth's backend (email or username, login codes), with a cached ``get_user``."""
