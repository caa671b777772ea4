"""Who is a script client, and the one JSON error shape every endpoint gives them.

Plain functions over the request and ``JsonResponse`` only (no models, no caches), so
domain apps' views and the delivery middleware
(:class:`masthead.core.json_errors.JsonErrorMiddleware`) import the same rule from here
and cannot disagree about who reads JSON back or what an error body holds.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

# Short machine codes and reader-facing messages by status.
ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request was not understood."),
    401: ("login", "Please sign in first."),
    403: ("forbidden", "You may not do that."),
    404: ("not_found", "Not found: the story or comment may have been removed."),
    405: ("method_not_allowed", "This address does not take that kind of request."),
    413: ("too_large", "The request is too large."),
    422: ("refused", "That could not be accepted."),
    429: ("rate_limited", "Too many requests; please wait a moment and try again."),
}


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


def error_body(http_status: int, message: str = "", code: str = "", **extra: Any) -> dict[str, Any]:
    """``{"ok": false, "status": "error", "code", "message", "error"}`` for ``http_status``.

    Every JSON error carries at least ``ok``, ``code`` and ``message``; ``error`` repeats
    ``message`` for clients written against the reading list's earlier shape. ``extra``
    adds (or overrides) keys, e.g. the comment views' ``status`` the page script reads.
    """
    default_code, default_message = ERRORS.get(http_status, ("error", "Something went wrong."))
    message = message or default_message
    return {
        "ok": False,
        "status": "error",
        "code": code or default_code,
        "message": message,
        "error": message,
        **extra,
    }


def json_error(
    http_status: int,
    message: str = "",
    code: str = "",
    retry_after: int | None = None,
    **extra: Any,
) -> JsonResponse:
    """A JSON error answer with :func:`error_body`; never cached; ``Retry-After`` if given."""
    response = JsonResponse(error_body(http_status, message, code, **extra), status=http_status)
    response["Cache-Control"] = "no-store"
    if retry_after is not None:
        response["Retry-After"] = str(max(1, int(retry_after)))
    return response
