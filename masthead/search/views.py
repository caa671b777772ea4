"""Site search. Results show headline, standfirst, section and date — never body text.

The query is bounded (:func:`masthead.search.query.bound_query`) and each client may run
``MASTHEAD_SEARCH_RATE_LIMIT`` searches a minute (0: no limit); beyond that the page
answers 429 with ``Retry-After``, so a few clients cannot keep the database busy.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from masthead.articles.models import StoryPage
from masthead.search.query import MAX_TERMS, bound_query

RATE_WINDOW_SECONDS = 60


def _client_key(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "ip:" + client_ip(request)


def client_ip(request: HttpRequest) -> str:
    """The reader's address as django-allauth's rate limits see it, so one proxy setting
    (``ALLAUTH_TRUSTED_PROXY_COUNT`` or ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER``, see
    docs/production.md) serves both; ``REMOTE_ADDR`` when it cannot tell."""
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import ImproperlyConfigured, PermissionDenied

    try:
        return get_adapter(request).get_client_ip(request)
    except (ImproperlyConfigured, PermissionDenied):
        return request.META.get("REMOTE_ADDR", "")


def seconds_until_allowed(request: HttpRequest) -> int:
    """Count one search for this client; 0 when allowed, else seconds to wait.

    A fixed one-minute window in Django's cache (one ``add`` and one ``incr``).
    """
    limit = settings.MASTHEAD_SEARCH_RATE_LIMIT
    if limit <= 0:
        return 0
    now = time.time()
    window = int(now // RATE_WINDOW_SECONDS)
    key = f"search-rate:{_client_key(request)}:{window}"
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS + 5)
        count = 1
    if count <= limit:
        return 0
    return max(1, int((window + 1) * RATE_WINDOW_SECONDS - now + 0.999))


def search(request: HttpRequest) -> HttpResponse:
    """Search live stories for ``?q=``; 20 results a page."""
    query = bound_query(request.GET.get("q", ""))
    context = {
        "search_query": query.text,
        "results": None,
        "notes": query.notes,
        "error": "",
        "max_words": MAX_TERMS,
    }
    if query.text:
        wait = seconds_until_allowed(request)
        if wait:
            context["error"] = (
                f"You are searching very fast; please wait {wait} "
                f"second{'' if wait == 1 else 's'} and try again."
            )
            context["search_query"] = ""
            response = TemplateResponse(request, "search/search.html", context, status=429)
            response["Retry-After"] = str(wait)
            response["Cache-Control"] = "no-store"
            return response
        found = StoryPage.objects.live().public().search(query.text, operator="and")
        context["results"] = Paginator(found, 20).get_page(request.GET.get("page"))
    return TemplateResponse(request, "search/search.html", context)
