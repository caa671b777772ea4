"""Story routing without walking the page tree on every request.

Wagtail finds a page by looking up the :class:`~wagtail.models.Site` for the host and
then each path segment in turn (a query per level, then one more for the specific
page). For story pages, which are most requests, :func:`serve` remembers the answer
in the cache (host, port and path to the site and the story's id) and on the next
request fetches the story with one query by primary key. Wagtail's own view then
runs as always (view restrictions, ``before_serve_page`` hooks, ``serve``): the route
is handed to it through the ``request._wagtail_site`` and
``request._wagtail_route_for_request`` attributes that Wagtail itself uses as its
per-request cache (``Site.find_for_request``, ``Page.route_for_request``).

Correct by construction: a remembered route is used only when the story is live
and its ``url_path`` is the one the request asks for under that site's root, so a
story that was unpublished, deleted, moved or renamed since is routed by Wagtail
again. The story object itself is cached under its page stamp
(:func:`masthead.core.fragments.cached_page`), which every save, publish,
unpublish and deletion of the page and every move of any page renews. Sites are part of the key through an epoch renewed on any change of a
:class:`~wagtail.models.Site`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from wagtail.url_routing import RouteResult
from wagtail.views import serve as wagtail_serve

from masthead.core.fragments import cached_page
from masthead.core.page_cache import bump_counter, read_counter

logger = logging.getLogger(__name__)
SITES_EPOCH_KEY = "masthead:route:sites"
RESTRICTIONS_EPOCH_KEY = "masthead:route:restrictions"
ROUTE_TTL = 24 * 3600  # seconds: bounds memory; every use is checked against the story


_polled: dict[str, tuple[float, int]] = {}
_restrictions: dict[int, list[tuple[int, str]]] = {}


def _epoch(key: str) -> int:
    """The epoch under ``key``, re-read at most every ``MASTHEAD_EDGE_POLL_SECONDS`` per
    process (as the content version is: :func:`masthead.core.page_cache.polled_version`)."""
    now = time.monotonic()
    hit = _polled.get(key)
    if hit is not None and now - hit[0] < getattr(settings, "MASTHEAD_EDGE_POLL_SECONDS", 0.2):
        return hit[1]
    epoch = read_counter(key)
    _polled[key] = (now, epoch)
    return epoch


_sites: dict[tuple[int, str, int], Any] = {}
_routes: dict[str, tuple[Any, str, int]] = {}
LOCAL_ROUTES = 20_000  # routes kept per process (a few MB)


def reset_local() -> None:
    """Forget this process's copies of the epochs, sites and restrictions (tests)."""
    _polled.clear()
    _restrictions.clear()
    _sites.clear()
    _routes.clear()


def cached_site(request: HttpRequest) -> Any:
    """Wagtail's ``Site.find_for_request(request)``, kept per process for each host and
    port under the sites epoch (Wagtail runs a query with a ``CASE`` ordering each time,
    about 3 ms of CPU). ``None`` (no site) is not kept."""
    from wagtail.models import Site

    host = split_domain_port(request._get_raw_host())[0]  # noqa: SLF001 - as Wagtail
    key = (_sites_epoch(), host, request.get_port())
    site = _sites.get(key)
    if site is None:
        site = Site._find_for_request(request)  # noqa: SLF001 - Wagtail's own lookup
        if site is not None:
            if len(_sites) > 64:
                _sites.clear()
            _sites[key] = site
    return site


class SiteMiddleware:
    """Give every request its Wagtail site from :func:`cached_site` (as
    ``request._wagtail_site``, Wagtail's own per-request attribute)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request._wagtail_site = cached_site(request)  # noqa: SLF001
        except Exception:  # noqa: BLE001 - leave it to Wagtail's own lookup, which raises
            logger.debug("site lookup failed; Wagtail will look again", exc_info=True)
        return self.get_response(request)


def _bump(key: str) -> None:
    transaction.on_commit(lambda: bump_counter(key))


def _sites_epoch() -> int:
    return _epoch(SITES_EPOCH_KEY)


def sites_changed(**_: Any) -> None:
    """A site was added, changed or deleted (signal receiver): forget every route."""
    _bump(SITES_EPOCH_KEY)


def restrictions_changed(**_: Any) -> None:
    """A view restriction was added, changed or deleted, or pages moved (signal
    receiver): :func:`view_restrictions_for` reads them again, and every cached page
    goes (a page that just became private must not stay in the shared cache)."""
    from masthead.core.page_cache import bump_content_version

    _bump(RESTRICTIONS_EPOCH_KEY)
    bump_content_version()
    transaction.on_commit(bump_content_version)


def view_restrictions_for(page: Any) -> Any:
    """The :class:`~wagtail.models.PageViewRestriction` rows on ``page`` and its
    ancestors, as Wagtail's ``Page.get_view_restrictions`` (a queryset), from a cached
    list of every restriction's page path: no query when none applies.

    The list is stored under an epoch read *before* the rows, and the epoch is renewed
    after every committed change, so a list read just before a change is never used
    after it. Alias pages are left to Wagtail (their source page's restrictions apply).
    """
    from wagtail.models import PageViewRestriction

    epoch = _epoch(RESTRICTIONS_EPOCH_KEY)
    rows = _restrictions.get(epoch)
    if rows is None:
        key = f"{RESTRICTIONS_EPOCH_KEY}:{epoch}"
        rows = cache.get(key)
        if rows is None:
            rows = list(PageViewRestriction.objects.values_list("pk", "page__path"))
            cache.set(key, rows, ROUTE_TTL)
        _restrictions.clear()
        _restrictions[epoch] = rows
    ids = [pk for pk, path in rows if page.path.startswith(path)]
    if not ids:
        # An empty queryset already evaluated: iterating it (Wagtail's check and the
        # story's own, on every render) compiles no SQL; a clone (``order_by``, as in the
        # admin's privacy view) is Django's ``none()`` again.
        empty = PageViewRestriction.objects.none()
        empty._result_cache = []  # noqa: SLF001 - what evaluating none() stores
        return empty
    return PageViewRestriction.objects.filter(pk__in=ids)


def route_key(request: HttpRequest, path: str) -> str:
    """Cache key of the route of ``path`` on the request's host and port."""
    host = split_domain_port(request._get_raw_host())[0]  # noqa: SLF001 - as Wagtail
    raw = f"{_sites_epoch()}\x00{host}\x00{request.get_port()}\x00{path}"
    return "masthead:route:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def prime_route(request: HttpRequest, path: str) -> str | None:
    """Hand Wagtail a remembered route for ``path``, if one is stored and still right.

    :returns: the route's cache key when the route was *not* primed (so :func:`serve`
        may store the route Wagtail finds), else ``None``.
    """
    from masthead.articles.models import StoryPage

    key = route_key(request, path)
    entry = _routes.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is None:
            return key
        if len(_routes) >= LOCAL_ROUTES:
            _routes.clear()
        _routes[key] = entry  # safe to keep: every use is checked against the story
    site, root_path, pk = entry
    story = cached_page(pk, request, lambda: StoryPage.objects.filter(pk=pk, live=True).first())
    if story is None or not story.live or story.url_path != root_path + path:
        return key
    request._wagtail_site = site  # noqa: SLF001 - Wagtail's per-request cache
    request._wagtail_route_for_request = RouteResult(story)  # noqa: SLF001
    return None


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's page view, with remembered routes for stories (GET and HEAD)."""
    from masthead.articles.models import StoryPage

    key = prime_route(request, path) if request.method in ("GET", "HEAD") else None
    response = wagtail_serve(request, path)
    route = getattr(request, "_wagtail_route_for_request", None)
    site = getattr(request, "_wagtail_site", None)
    if (
        key is not None
        and route is not None
        and site is not None
        and type(route[0]) is StoryPage
        and not route[1]
        and not route[2]
        and response.status_code == 200
    ):
        cache.set(key, (site, site.root_page.url_path, route[0].pk), ROUTE_TTL)
    return response
