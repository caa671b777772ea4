"""Site-wide views: the page shown when a form's CSRF check fails, and ``/robots.txt``."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from masthead.core.page_cache import mark_shared


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a 403 in the site's own page, saying what to do.

    Django's default page says "CSRF verification failed" and points at ``DEBUG``; a
    reader usually meets this after a form sat open for long, or cookies were blocked.
    ``reason`` (Django's) is not shown to readers. The response is never cached
    (rendered for this request only; Django marks CSRF failures as such).
    """
    from masthead.core.json_api import json_error, wants_json

    if wants_json(request):  # a script's fetch: a body it can read, same status
        return json_error(
            403,
            "Your page's security check has expired. Reload the page and try again.",
            code="csrf",
        )
    response = TemplateResponse(request, "403_csrf.html", {}, status=403)
    response["Cache-Control"] = "no-store"
    return response


#: Paths crawlers have no business in: the admin, sign-in and account pages, per-reader
#: pages and endpoints, and search results (endless, thin pages).
ROBOTS_DISALLOW = (
    "/admin/",
    "/accounts/",
    "/account/",
    "/search/",
    "/saved/",
    "/comments/",
    "/meter.json",
    "/subscribe/",
)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """``/robots.txt``: crawlers may read the stories; the sitemaps say where they are.

    Sitemap lines must be absolute URLs (sitemaps.org), so they use ``SITE_URL``.
    """
    base = settings.SITE_URL.rstrip("/")
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in ROBOTS_DISALLOW), ""]
    lines += [f"Sitemap: {base}{reverse('sitemap')}", f"Sitemap: {base}{reverse('news-sitemap')}"]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    return mark_shared(response)
