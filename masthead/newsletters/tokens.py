"""Signed tokens for newsletter links (``django.core.signing``, one salt per purpose).

* unsubscribe — ``{"s": subscriber_id, "n": newsletter_id}``, valid
  ``MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAX_AGE`` seconds (default 1 year: a reader may
  unsubscribe from an old issue; Gmail/Yahoo 2024 bulk-sender rules want it to keep working).
* manage — ``{"s": subscriber_id}``, same lifetime; opens the preferences page without login.
* confirm — ``{"s": subscriber_id, "n": [ids], "o": offers}``, valid
  ``MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE`` (default 3 days) for double opt-in.

A forged, altered or expired token raises :class:`BadToken`; callers change nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing

UNSUBSCRIBE_SALT = "masthead.newsletters.unsubscribe"
MANAGE_SALT = "masthead.newsletters.manage"
CONFIRM_SALT = "masthead.newsletters.confirm"


class BadToken(Exception):
    """The token is forged, altered or expired; ``expired`` tells which."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def _load(token: str, salt: str, max_age: int) -> dict[str, Any]:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise BadToken("This link has expired.", expired=True) from exc
    except signing.BadSignature as exc:
        raise BadToken("This link is not valid.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise BadToken("This link is not valid.")
    return data


def make_unsubscribe_token(subscriber_id: int, newsletter_id: int) -> str:
    """Return a token naming one recipient on one list."""
    return signing.dumps({"s": subscriber_id, "n": newsletter_id}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, int]:
    """Return ``(subscriber_id, newsletter_id)``.

    :raises BadToken: forged or older than ``MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAX_AGE``.
    """
    data = _load(token, UNSUBSCRIBE_SALT, settings.MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAX_AGE)
    if not isinstance(data.get("n"), int):
        raise BadToken("This link is not valid.")
    return data["s"], data["n"]


def make_manage_token(subscriber_id: int) -> str:
    """Return a token that opens one subscriber's preferences page."""
    return signing.dumps({"s": subscriber_id}, salt=MANAGE_SALT)


def read_manage_token(token: str) -> int:
    """Return the subscriber id. :raises BadToken: forged or expired."""
    return _load(token, MANAGE_SALT, settings.MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAX_AGE)["s"]


def make_confirm_token(subscriber_id: int, newsletter_ids: list[int], offers: bool) -> str:
    """Return a double opt-in token for the lists (and offers flag) the reader asked for."""
    return signing.dumps(
        {"s": subscriber_id, "n": sorted(newsletter_ids), "o": bool(offers)}, salt=CONFIRM_SALT
    )


def read_confirm_token(token: str) -> tuple[int, list[int], bool]:
    """Return ``(subscriber_id, newsletter_ids, offers)``.

    :raises BadToken: forged or older than ``MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE``.
    """
    data = _load(token, CONFIRM_SALT, settings.MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE)
    ids = data.get("n")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise BadToken("This link is not valid.")
    return data["s"], ids, bool(data.get("o"))
