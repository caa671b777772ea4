"""Site-wide views: the page shown when a form's CSRF check fails."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a 403 in the site's own page, saying what to do.

    Django's default page says "CSRF verification failed" and points at ``DEBUG``; a
    reader usually meets this after a form sat open for long, or cookies were blocked.
    ``reason`` (Django's) is not shown to readers. The response is never cached
    (rendered for this request only; Django marks CSRF failures as such).
    """
    from masthead.core.json_errors import json_error, wants_json

    if wants_json(request):  # a script's fetch: a body it can read, same status
        return json_error(
            403,
            "Your page's security check has expired. Reload the page and try again.",
            code="csrf",
        )
    response = TemplateResponse(request, "403_csrf.html", {}, status=403)
    response["Cache-Control"] = "no-store"
    return response
