"""Shared cache of pages that are the same for every anonymous reader.

Home, section and tag pages, feeds and sitemaps are rendered once and served from
the cache to anonymous readers (requests without a session cookie) until the site's
content changes. Correct by construction:

* only responses a view marks with :func:`mark_shared` are stored, and only when
  they set no cookie and did not depend on the reader (``request._masthead_reader_dependent``);
* requests carrying a session cookie (signed-in readers, readers with flash messages)
  always bypass the cache, so signed-in chrome is never shared;
* every publish, unpublish, move or deletion of a page bumps a content version that
  is part of every key, so an edit is visible on the next request (invalidation, not
  expiry; the TTL only bounds memory).

The version lives in Django's default cache: with Redis (``REDIS_URL``) or the
file-based default every app process sees the same version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

VERSION_KEY = "masthead:content-version"
SHARED_TTL = 600  # seconds; an upper bound on memory use, not the freshness mechanism


def content_version() -> int:
    """Return the current content version (1 when none is stored yet)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return int(version)


def bump_content_version(**_: Any) -> None:
    """Invalidate every shared page (call on publish, unpublish, move, delete)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


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


def _key(request: HttpRequest, version: int) -> str:
    raw = f"{request.method}:{request.get_host()}:{request.get_full_path()}"
    return f"masthead:page:{version}:{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"


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
        ):
            return self.get_response(request)
        key = _key(request, content_version())
        hit = cache.get(key)
        if hit is not None:
            status, headers, content = hit
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Masthead-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (
            getattr(response, "_masthead_shared", False)
            and response.status_code == 200
            and not response.cookies
            and not getattr(request, "_masthead_reader_dependent", False)
            and not getattr(response, "streaming", False)
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            headers = [
                (k, v)
                for k, v in response.items()
                if k.lower() not in ("set-cookie", "x-masthead-cache")
            ]
            cache.set(key, (response.status_code, headers, response.content), SHARED_TTL)
            response["X-Masthead-Cache"] = "miss"
        return response
