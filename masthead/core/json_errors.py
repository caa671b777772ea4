"""JSON error bodies for the endpoints scripts call (meter, saves, reactions, comments).

The reader pages' scripts (``static/js/comments.js``, ``static/js/save-story.js``) and
apps call ``/meter.json`` and the save, reaction and comment endpoints with
``Accept: application/json`` or ``X-Requested-With``. Errors raised around those
views (an unknown id's 404, ``require_POST``'s 405, ``login_required``'s redirect, a
rate limiter's 429) come back as Django's HTML pages, which a script cannot read.
:class:`JsonErrorMiddleware` turns every non-JSON error answer of those endpoints into
``{"ok": false, "status": "error", "code", "message", "error"}``
(:func:`masthead.core.json_api.json_error`) with the same status
code (and the ``Allow`` / ``Retry-After`` headers kept), in one place instead of in
every view. A failed CSRF check is answered by :func:`masthead.core.views.csrf_failure`,
which uses :func:`json_error` for the same clients.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

from masthead.core.json_api import json_error, wants_json

__all__ = ["JSON_ERROR_VIEWS", "JsonErrorMiddleware", "json_error", "wants_json"]

# URL names (``namespace:name``) whose error answers are JSON for script clients.
JSON_ERROR_VIEWS = frozenset(
    {
        "meter-json",
        "saved-add",
        "saved-remove",
        "comments:post",
        "comments:reply",
        "comments:edit",
        "comments:delete",
        "comments:react",
        "comments:report",
    }
)

_KEPT_HEADERS = ("Allow", "Retry-After")


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _login_redirect(request: HttpRequest, response: HttpResponse) -> str | None:
    """The sign-in URL when ``response`` is ``login_required``'s redirect, else None."""
    if response.status_code != 302 or getattr(request, "user", None) is None:
        return None
    if request.user.is_authenticated:
        return None
    location = response.get("Location", "")
    login = resolve_url(settings.LOGIN_URL)
    return location if location.split("?", 1)[0] == login else None


class JsonErrorMiddleware:
    """Give script clients of :data:`JSON_ERROR_VIEWS` JSON instead of HTML errors.

    Only answers with a status of 300 or more are looked at (success answers pass
    untouched, at the cost of one comparison); a view's own JSON answers are kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 300 or _is_json(response):
            return response
        match = getattr(request, "resolver_match", None)
        if match is None or match.view_name not in JSON_ERROR_VIEWS or not wants_json(request):
            return response
        if response.status_code < 400:
            login = _login_redirect(request, response)
            if login is None:
                return response
            # The shape the comment views give anonymous script clients.
            return json_error(401, code="login", status="login", login_url=login)
        converted = json_error(response.status_code)
        for name in _KEPT_HEADERS:
            if name in response:
                converted[name] = response[name]
        return converted
