"""JSON error bodies for the endpoints scripts call (meter, saves, reactions, comments).

The reader pages' scripts (``static/js/comments.js``, ``static/js/save-story.js``) and
apps call ``/meter.json`` and the save, reaction and comment endpoints with
``Accept: application/json`` or ``X-Requested-With``. Errors raised around those
views (an unknown id's 404, ``require_POST``'s 405, ``login_required``'s redirect, a
rate limiter's 429) come back as Django's HTML pages, which a script cannot read.
:class:`JsonErrorMiddleware` turns every non-JSON error answer of those endpoints into
``{"ok": false, "status": "error", "code", "message", "error"}`` with the same status
code (and the ``Allow`` / ``Retry-After`` headers kept), in one place instead of in
every view. A failed CSRF check is answered by :func:`masthead.core.views.csrf_failure`,
which uses :func:`json_error` for the same clients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url

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

# Short machine codes and reader-facing messages by status.
_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request was not understood."),
    401: ("login", "Please sign in first."),
    403: ("forbidden", "You may not do that."),
    404: ("not_found", "Not found: the story or comment may have been removed."),
    405: ("method_not_allowed", "This address does not take that kind of request."),
    413: ("too_large", "The request is too large."),
    429: ("rate_limited", "Too many requests; please wait a moment and try again."),
}
_KEPT_HEADERS = ("Allow", "Retry-After")


def wants_json(request: HttpRequest) -> bool:
    """True when a script or app made the request and reads JSON back.

    ``Accept: application/json``, an ``X-Requested-With`` header (``fetch`` from our
    scripts, ``XMLHttpRequest`` from libraries), or a browser's
    ``Sec-Fetch-Dest: empty`` (set on every ``fetch()``/XHR, never on a navigation).
    """
    headers = request.headers
    return (
        "application/json" in headers.get("Accept", "")
        or bool(headers.get("X-Requested-With"))
        or headers.get("Sec-Fetch-Dest") == "empty"
    )


def json_error(http_status: int, message: str = "", code: str = "", **extra: Any) -> JsonResponse:
    """A JSON error answer: ``{"ok": false, "status": "error", "code", "message", "error"}``.

    ``error`` repeats ``message`` for clients written against the reading list's
    earlier error shape; ``extra`` adds (or overrides) keys. Never cached.
    """
    default_code, default_message = _ERRORS.get(http_status, ("error", "Something went wrong."))
    message = message or default_message
    body = {
        "ok": False,
        "status": "error",
        "code": code or default_code,
        "message": message,
        "error": message,
        **extra,
    }
    response = JsonResponse(body, status=http_status)
    response["Cache-Control"] = "no-store"
    return response


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
