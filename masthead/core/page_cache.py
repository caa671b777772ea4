"""Shared cache of pages that are the same for every anonymous reader.

Home, section and tag pages, feeds and sitemaps are rendered once and served from
the cache to anonymous readers (requests without a session cookie) until the site's
content changes. Correct by construction:

* only responses a view marks with :func:`mark_shared` are stored, and only when
  they set no cookie and did not depend on the reader (``request._masthead_reader_dependent``);
* requests carrying a session cookie (signed-in readers, readers with flash messages)
  always bypass the cache, so signed-in chrome is never shared;
* every publish, unpublish, move or deletion of a page bumps a content version that
  is part of every shared page's key, so an edit is visible on the next request
  (invalidation, not expiry; the TTL only bounds memory);
* a gated story's variants are keyed by :func:`story_page_key` (not the content
  version) and checked against the story's own stamps (:func:`story_pointer`), so a
  publish of another story leaves them valid.

The version lives in Django's default cache: with Redis (``REDIS_URL``) or the
file-based default every app process sees the same version.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

VERSION_KEY = "masthead:content-version"
# Kinds of cache entries under a page key: a whole page the same for every anonymous
# reader, or a pointer to the rendered variants of a gated story (see StoryVariant).
PAGE, STORY = "page", "story"
SHARED_TTL = 600  # seconds; an upper bound on memory use, not the freshness mechanism


def read_counter(key: str, timeout: int | None = None) -> int:
    """The counter under ``key`` in the shared cache, created when missing.

    Counters start from the clock (µs), not 1: after a cache flush the new values are
    still higher than any a running process remembers, so no old key comes back.
    Used for the content version and the stamps and epochs of
    :mod:`masthead.core.fragments` and :mod:`masthead.core.routing`.
    """
    value = cache.get(key)
    if value is None:
        cache.add(key, clock_stamp(), timeout=timeout)
        value = cache.get(key, 0)
    return int(value)


def bump_counter(key: str) -> None:
    """Move the counter under ``key`` on (created above the clock when missing)."""
    try:
        cache.incr(key)
    except ValueError:  # not stored yet, or the cache was flushed
        cache.add(key, clock_stamp() + 1, timeout=None)


def clock_stamp() -> int:
    """The wall clock in microseconds: where a new counter starts."""
    return time.time_ns() // 1000


def content_version() -> int:
    """Return the current content version."""
    return read_counter(VERSION_KEY)


_polled = {"version": 0, "at": -1e9}
_local: dict[str, Any] = {}
LOCAL_ENTRIES = 2048  # bound of the per-process copy of version-keyed entries


def local_get(key: str) -> Any:
    """``cache.get(key)`` for entries that never change under their key (the content
    version is part of it), kept in a per-process dict after the first read."""
    value = _local.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            if len(_local) >= LOCAL_ENTRIES:
                _local.clear()
            _local[key] = value
    return value


def local_set(key: str, value: Any) -> None:
    """Keep ``value`` in this process only, for :func:`local_get` (``key`` must carry
    the content version, so the entry goes when the version changes)."""
    if len(_local) >= LOCAL_ENTRIES:
        _local.clear()
    _local[key] = value


def polled_version() -> int:
    """:func:`content_version`, re-read at most every ``MASTHEAD_EDGE_POLL_SECONDS``
    (per process), so a publish reaches every process within that time. A new version
    empties the per-process copy (:func:`local_get`)."""
    now = time.monotonic()
    if now - _polled["at"] >= getattr(settings, "MASTHEAD_EDGE_POLL_SECONDS", 0.2):
        version = content_version()
        if version != _polled["version"]:
            _local.clear()
        _polled["version"], _polled["at"] = version, now
    return int(_polled["version"])


def reset_local() -> None:
    """Forget this process's copies (tests clear the shared cache between cases)."""
    from masthead.core import routing

    routing.reset_local()
    _local.clear()
    _polled["version"], _polled["at"] = 0, -1e9
    _story_polled["version"], _story_polled["at"] = "", -1e9


def bump_content_version(**_: Any) -> None:
    """Invalidate every shared page (call on publish, unpublish, move, delete)."""
    bump_counter(VERSION_KEY)


def content_changed(user_ids: Any = (), story_ids: Any = None) -> None:
    """Comments (or other shown content) changed without a model ``save``: a queryset
    ``update()`` sends no signal, so call this. Bumps the content version once the
    transaction commits (every cached page is re-rendered on its next request), renews
    the cached comment threads of ``story_ids`` (``None``: of every story; see
    :func:`masthead.core.fragments.comments_changed`) and drops the snapshots of
    members ``user_ids`` whose own comments changed."""
    from masthead.core.fragments import comments_changed
    from masthead.core.member_pages import forget_snapshot

    for uid in user_ids or ():
        forget_snapshot(uid)
    comments_changed(story_ids)  # also moves the content version once the transaction commits


def mark_shared(response: HttpResponse) -> HttpResponse:
    """Mark ``response`` as the same for every anonymous reader (cacheable, public)."""
    response._masthead_shared = True  # noqa: SLF001
    return response


def shared(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap ``view`` so its responses are marked with :func:`mark_shared`."""
    from functools import wraps

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return mark_shared(view(request, *args, **kwargs))

    return wrapper


# Query parameters the cached pages read (section and search pagination, comment sort and
# page); a query string with anything else is never looked up or stored in the shared cache.
CACHE_QUERY_PARAMS = frozenset({"page", "cpage", "sort"})
CACHE_QUERY_MAX = 100  # characters of the whole query string


def cacheable_query(query_string: str) -> bool:
    """True when a page requested with ``query_string`` (raw, from the WSGI environ) may be
    looked up in and stored to the shared cache: empty, or at most :data:`CACHE_QUERY_MAX`
    characters of :data:`CACHE_QUERY_PARAMS` only. Anything else (tracking parameters,
    random cache-busting strings, a 60 KB query echoed into every sign-in link) is
    rendered for its request and never stored, so requests cannot fill the cache with
    pages no other reader asks for."""
    if not query_string:
        return True
    if len(query_string) > CACHE_QUERY_MAX:
        return False
    return all(part.partition("=")[0] in CACHE_QUERY_PARAMS for part in query_string.split("&"))


def page_key(version: int, method: str, environ: dict[str, Any]) -> str:
    """Cache key of a page: content ``version``, method, host and path as the client sent them.

    Built from the raw WSGI ``environ`` (``HTTP_HOST``, forwarded host/proto,
    ``PATH_INFO``, ``QUERY_STRING``) so the edge cache (:mod:`masthead.core.edge`) and
    this middleware compute the same key. An invalid host never gets an entry: only
    200 responses are stored, and Django answers a disallowed host with 400.
    """
    raw = "\x00".join(
        (
            method,
            environ.get("HTTP_HOST", ""),
            environ.get("HTTP_X_FORWARDED_HOST", ""),
            environ.get("HTTP_X_FORWARDED_PROTO", ""),
            environ.get("wsgi.url_scheme", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
        )
    )
    digest = hashlib.blake2b(raw.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    return f"masthead:page:{version}:{digest}"


def story_page_key(environ: dict[str, Any]) -> str:
    """Cache key of a gated story page's entries (the pointer to its variants, and the
    variants under it), from the raw WSGI ``environ`` as :func:`page_key`.

    Not keyed by the content version, so a publish of *another* story, or a comment on
    it, leaves this story's cached page valid (issue 7: a publish must not re-render
    every story). Keyed instead by what every story page shows: this release's code
    and templates, and the sites, view-restrictions, shared and comments epochs
    (:mod:`masthead.core.routing`, :mod:`masthead.core.fragments`; each re-read at most
    every ``MASTHEAD_EDGE_POLL_SECONDS``). The story's own changes (an edit, publish,
    unpublish or deletion, a comment on it) are caught by its stamps, stored in the
    pointer and checked by :func:`story_pointer`.
    """
    return page_key(story_version(), "GET", environ)


_story_polled: dict[str, Any] = {"at": -1e9, "version": ""}


def story_version() -> str:
    """The version part of :func:`story_page_key`: ``"s<release>.<sites>.<restrictions>.
    <shared>.<comments>"``, the four epochs read with one ``get_many`` (missing ones
    created) at most every ``MASTHEAD_EDGE_POLL_SECONDS`` per process."""
    now = time.monotonic()
    if now - _story_polled["at"] < getattr(settings, "MASTHEAD_EDGE_POLL_SECONDS", 0.2):
        return str(_story_polled["version"])
    from masthead.core.fragments import COMMENTS_EPOCH_KEY, SHARED_EPOCH_KEY, release
    from masthead.core.routing import RESTRICTIONS_EPOCH_KEY, SITES_EPOCH_KEY

    keys = (SITES_EPOCH_KEY, RESTRICTIONS_EPOCH_KEY, SHARED_EPOCH_KEY, COMMENTS_EPOCH_KEY)
    found = cache.get_many(keys)
    epochs = [int(found[k]) if k in found else read_counter(k) for k in keys]
    version = "s" + ".".join((release(), *map(str, epochs)))
    _story_polled["at"], _story_polled["version"] = now, version
    return version


def pointer_story(entry: tuple) -> int:
    """The story id in a story pointer: ``(STORY, id, level, limit, stamps)`` for anonymous
    readers, ``(id, level, limit, stamps)`` for members."""
    return int(entry[1] if entry[0] == STORY else entry[0])


def story_pointer(key: str, found: dict[str, Any] | None = None) -> tuple | None:
    """The story pointer stored under ``key`` (a :func:`story_page_key`, or a member
    pointer key built on one), or ``None``.

    From this process's copy when it has one (emptied at every new content version,
    which every change of a story brings); else from the shared cache (``found``: a
    ``get_many`` result that already holds ``key`` or its absence), kept only when its
    stamps are the story's current ones (:func:`masthead.core.fragments.current_stamps`,
    one more round trip). A pointer stored by a render that read the story before its
    change has the old stamps, so it is never used (the variants are keyed by the
    stamps too).
    """
    from masthead.core.fragments import current_stamps

    entry = _local.get(key)
    if entry is not None:
        return entry
    entry = found.get(key) if found is not None else cache.get(key)
    if entry is None:
        return None
    stamps = entry[-1]
    if not stamps or current_stamps(pointer_story(entry)) != tuple(stamps):
        return None
    local_set(key, entry)
    return entry


def stamped_variant_key(key: str, stamps: Any, name: str) -> str:
    """Cache key of variant ``name`` of the story page under story key ``key``, rendered
    from the story at ``stamps`` (the last item of its pointer)."""
    return variant_key(key, ".".join(map(str, stamps)) + ":" + name)


def find_entry(environ: dict[str, Any]) -> tuple[str, tuple | None]:
    """``(key, entry)`` for an anonymous ``GET`` of ``environ``: a shared page
    (``PAGE``, under the content version) or a gated story's pointer (``STORY``, under
    :func:`story_page_key`), from this process's copies first, else with one
    ``get_many`` of both keys (and the stamp check of :func:`story_pointer`). ``entry``
    is ``None`` when neither is stored; ``key`` is then the story key."""
    version = polled_version()  # first: a new version empties this process's copies
    skey = story_page_key(environ)
    entry = _local.get(skey)
    if entry is not None:
        return skey, entry
    key = page_key(version, "GET", environ)
    entry = _local.get(key)
    if entry is not None:
        return key, entry
    found = cache.get_many([key, skey])
    if key in found:
        local_set(key, found[key])
        return key, found[key]
    return skey, story_pointer(skey, found)


def _key(request: HttpRequest, version: int) -> str:
    return page_key(version, request.method or "GET", request.META)


class SharedPageCacheMiddleware:
    """Serve and store shared pages for anonymous GET/HEAD requests (see module docs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.session_cookie = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cookies = request.COOKIES
        if (
            request.method not in ("GET", "HEAD")
            or self.session_cookie in cookies
            or "messages" in cookies
            or not cacheable_query(request.META.get("QUERY_STRING", ""))
        ):
            return self.get_response(request)
        key = _key(request, polled_version())
        # Computed before the render: its epochs are those the render starts from.
        story_key = story_page_key(request.META) if request.method == "GET" else ""
        # The edge (masthead.core.edge) may have looked already, under the same key.
        hit = None if request.META.get("masthead.edge.looked") else cache.get(key)
        if hit is not None and hit[0] == PAGE:
            _kind, status, headers, content = hit
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Masthead-Cache"] = "hit"
            return response
        response = self.get_response(request)
        variant = getattr(response, "_masthead_story_variant", None)
        if variant is not None:
            store_story_variant(request, response, story_key, variant)
        elif (
            getattr(response, "_masthead_shared", False)
            and response.status_code == 200
            and not response.cookies
            and not getattr(request, "_masthead_reader_dependent", False)
            and not getattr(response, "streaming", False)
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            # The same for every anonymous reader: a CDN may keep it for a few seconds
            # (RFC 9111 §5.2.2.10 s-maxage; browsers revalidate, max-age=0). Vary:
            # Cookie keeps signed-in readers' pages apart. Longer times belong with
            # purging through wagtail.contrib.frontend_cache (docs/production.md).
            patch_cache_control(
                response, public=True, max_age=0, s_maxage=settings.MASTHEAD_SHARED_SMAXAGE
            )
            patch_vary_headers(response, ("Cookie",))
            headers = storable_headers(response)
            cache.set(key, (PAGE, response.status_code, headers, response.content), SHARED_TTL)
            response["X-Masthead-Cache"] = "miss"
        return response


@dataclass(frozen=True)
class StoryVariant:
    """A story page rendered for one reader, offered to the cache with the meter left
    as a slot.

    ``name``: the entitlement's shape, never the reader: ``"full"`` or
    ``"leadin:<reason>"`` for anonymous readers (:attr:`Entitlement.cut`), ``"m:…"``
    for members (:func:`masthead.core.member_pages.shape_of`);
    ``story_id``/``access_level``/``limit`` (that reader kind's monthly allowance):
    what is needed to decide the next reader without rendering; ``body``: the page
    bytes with :data:`masthead.metering.services.METER_SLOT` where the meter line goes;
    ``stamps``: the story's stamps the render read before loading it
    (:func:`masthead.core.fragments.render_stamps`; ``None``: never stored).
    """

    name: str
    story_id: int
    access_level: str
    limit: int
    body: bytes
    stamps: tuple[int, ...] | None = None

    @property
    def for_members(self) -> bool:
        """A member variant (stored by the member pages, never for anonymous readers)."""
        return self.name.startswith("m:")


def storable_headers(response: HttpResponse) -> list[tuple[str, str]]:
    """The headers of ``response`` that may be replayed to another reader (no cookies,
    no cache marker, no length: the body is filled per reader)."""
    return [
        (k, v)
        for k, v in response.items()
        if k.lower() not in ("set-cookie", "x-masthead-cache", "content-length")
    ]


def variant_key(page: str, name: str) -> str:
    """Cache key of variant ``name`` of the story page stored under page key ``page``."""
    return f"{page}:{name}"


def store_story_variant(
    request: HttpRequest, response: HttpResponse, key: str, variant: StoryVariant
) -> bool:
    """Store a story variant and the pointer to it under story key ``key``
    (:func:`story_page_key`), when it is safe to share.

    Only for anonymous GETs answered 200 whose only cookie is the meter cookie (a CSRF
    or messages cookie means the page was not the same for everyone), rendered from
    known stamps. Returns whether it was stored.
    """
    from masthead.metering.services import COOKIE_NAME

    if (
        variant.for_members
        or not variant.stamps
        or not key
        or request.method != "GET"
        or response.status_code != 200
        or getattr(response, "streaming", False)
        or set(response.cookies) - {COOKIE_NAME}
    ):
        return False
    cache.set_many(
        {
            key: (STORY, variant.story_id, variant.access_level, variant.limit, variant.stamps),
            stamped_variant_key(key, variant.stamps, variant.name): (
                response.status_code,
                storable_headers(response),
                variant.body,
            ),
        },
        SHARED_TTL,
    )
    return True
