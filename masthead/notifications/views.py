"""Thin views: mark replies seen, the reply-email setting, one-click unsubscribe from it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from masthead.core.ids import parse_id
from masthead.core.json_errors import wants_json
from masthead.notifications import services
from masthead.notifications.mail import BadToken, read_unsubscribe_token
from masthead.notifications.models import ReplyMailPreference


def _mine() -> str:
    return reverse("comments:mine") + "#replies"


@require_POST
@login_required
def mark_seen(request: HttpRequest) -> HttpResponse:
    """Mark the member's replies seen: those named by ``id`` (repeatable), else all."""
    raw = request.POST.getlist("id")
    ids = [i for i in (parse_id(r) for r in raw) if i is not None] if raw else None
    changed = services.mark_seen(request.user.pk, ids)
    if wants_json(request):
        return JsonResponse(
            {"ok": True, "marked": changed, "unseen": services.unseen_count(request.user.pk)}
        )
    return HttpResponseRedirect(_mine())


@require_POST
@login_required
def email_setting(request: HttpRequest) -> HttpResponse:
    """Turn reply email on (``email_replies=on``) or off."""
    on = request.POST.get("email_replies") == "on"
    services.set_email_replies(request.user, on)
    messages.success(
        request,
        "We will email you when someone replies to your comments."
        if on
        else "We will not email you about replies.",
    )
    return HttpResponseRedirect(_mine())


def _message(request: HttpRequest, title: str, text: str, status: int = 200) -> HttpResponse:
    return render(
        request, "notifications/message.html", {"title": title, "text": text}, status=status
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def reply_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The List-Unsubscribe URL of reply email (RFC 8058).

    POST with ``List-Unsubscribe=One-Click`` (no cookies, no CSRF token: mail clients
    send it) turns reply email off without sign-in, idempotently, and answers 200.
    GET only shows a page with a confirm button (mail scanners fetch links). A
    forged or expired token changes nothing (400).
    """
    try:
        user_id = read_unsubscribe_token(token)
    except BadToken as exc:
        return _message(request, "Link not valid", f"{exc} Nothing was changed.", status=400)
    if request.method == "GET":
        return render(request, "notifications/unsubscribe.html", {"token": token})
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return _message(
            request,
            "Nothing changed",
            "The request must carry List-Unsubscribe=One-Click.",
            status=400,
        )
    ReplyMailPreference.objects.filter(user_id=user_id).update(email_replies=False)
    return _message(
        request,
        "You are unsubscribed",
        "You will get no more email about replies to your comments. "
        "You can turn it back on from “My comments”.",
    )
