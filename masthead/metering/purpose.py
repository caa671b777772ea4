"""Why a request asks for a story: the one place that tells a read from everything else.

Only a reader opening a story (a plain ``GET``) may use up a free story. A ``HEAD``,
a browser or link-preview *prefetch* or *prerender*, and the story page drawn again
after a failed form post (any other method) never count, so they never show gated
text that was not already the reader's: they get what the reader is entitled to
without counting (see :func:`masthead.metering.services.decide`).

Prefetch signals, as browsers send them:

* ``Sec-Purpose: prefetch`` / ``prefetch;prerender`` (Fetch standard, speculation rules;
  Chromium);
* ``Purpose: prefetch`` (older Chromium and Safari);
* ``X-Moz: prefetch`` (Firefox ``<link rel=prefetch>``);
* ``X-Purpose: preview`` (Safari top sites and link previews).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any


class Purpose(enum.Enum):
    """What a request for a story is for."""

    READ = "read"  # a reader opening the story: may count
    PREFETCH = "prefetch"  # a speculative fetch or prerender: never counts
    HEAD = "head"  # headers only: never counts
    RERENDER = "rerender"  # the page drawn again after a POST (failed form): never counts

    @property
    def counts(self) -> bool:
        """Whether a read with this purpose may use up a free story."""
        return self is Purpose.READ


_PREFETCH_HEADERS = (
    ("HTTP_SEC_PURPOSE", "prefetch"),
    ("HTTP_PURPOSE", "prefetch"),
    ("HTTP_X_MOZ", "prefetch"),
    ("HTTP_X_PURPOSE", "preview"),
)


def is_prefetch(environ: Mapping[str, Any]) -> bool:
    """True when the WSGI ``environ`` (or ``request.META``) carries a prefetch signal.

    Values are matched case-insensitively as a token anywhere in the header
    (``Sec-Purpose: prefetch;prerender``, ``X-Purpose: preview``).
    """
    for key, token in _PREFETCH_HEADERS:
        value = environ.get(key)
        if value and token in str(value).lower():
            return True
    return False


def purpose_of(method: str | None, environ: Mapping[str, Any]) -> Purpose:
    """The :class:`Purpose` of a request with ``method`` and ``environ`` (``request.META``)."""
    if method == "HEAD":
        return Purpose.HEAD
    if method != "GET":
        return Purpose.RERENDER
    if is_prefetch(environ):
        return Purpose.PREFETCH
    return Purpose.READ


def declines_prefetch(request: Any, entitlement: Any) -> bool:
    """True when ``request`` is a prefetch or prerender that got only the lead-in because it
    may not count (:data:`~masthead.metering.services.Reason.NOT_COUNTED`).

    Browsers keep a prefetched answer and show it when the reader clicks (speculation
    rules reuse a 2xx response without asking again), so such a lead-in would stand in
    for the full story the reader's click is owed. Declining the prefetch instead makes
    the click a normal, counted read.
    """
    from masthead.metering.services import Reason

    return entitlement.reason == Reason.NOT_COUNTED and is_prefetch(request.META)


def prefetch_declined() -> Any:
    """The answer to a declined prefetch: ``503`` (browsers drop a non-2xx prefetch and load
    the page when the reader follows the link), never stored by any cache, no story text."""
    from django.http import HttpResponse

    response = HttpResponse(
        "This story is loaded when you open it.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    response["Vary"] = "Sec-Purpose, Purpose"
    return response
