"""Saved stories: POST /saved/add/, POST /saved/remove/ (``story_id``), GET /saved/;
GET /saved/add/ asks the signed-in reader to confirm with a POST.

Plain form posts that redirect back (no JavaScript needed); a request with
script client (:func:`masthead.core.json_api.wants_json`; ``static/js/save-story.js``
sends ``Accept: application/json``) gets JSON instead, errors in the common
``{"ok": false, "code", "message", "error"}`` shape.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from masthead.core.ids import parse_id
from masthead.core.json_api import json_error, wants_json
from masthead.metering.services import decide
from masthead.readinglist import services
from masthead.readinglist.services import StoryNotFound


def _back(request: HttpRequest, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return fallback


def _error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if wants_json(request):
        return json_error(status, message)
    return TemplateResponse(request, "readinglist/error.html", {"message": message}, status=status)


@require_http_methods(["GET", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    """Save ``story_id``: only a signed-in reader's POST (with its CSRF token) saves.

    Anonymous readers reach this by a plain link (GET), so pages shown to them carry no
    CSRF token and stay cacheable. Nothing is remembered for them: the link leads
    through sign-in back here, where a GET shows the story and a "Save" button (a POST
    with CSRF). So a link on another site can never put a story in a reader's list.
    """
    data = request.POST if request.method == "POST" else request.GET
    try:
        story = services.find_story(data.get("story_id"))
    except StoryNotFound as exc:
        return _error(request, str(exc), exc.status)
    back = _back(request, story.url)
    if not request.user.is_authenticated:
        confirm = reverse("saved-add") + "?" + urlencode({"story_id": story.pk, "next": back})
        login = reverse("account_login") + "?" + urlencode({"next": confirm})
        if wants_json(request):
            return json_error(401, "Sign in to save stories.", code="login", login_url=login)
        return HttpResponseRedirect(login)
    if request.method != "POST":
        context = {
            "story": story,
            "next": back,
            "saved": story.pk in services.saved_ids(request.user),
        }
        return TemplateResponse(request, "readinglist/confirm_save.html", context)
    _, created = services.save_story(request.user, story)
    if wants_json(request):
        return JsonResponse({"ok": True, "saved": True, "created": created, "story_id": story.pk})
    return HttpResponseRedirect(back)


@require_POST
@login_required
def remove(request: HttpRequest) -> HttpResponse:
    """Remove ``story_id`` from the list (removing a story that is not saved is a no-op)."""
    raw = request.POST.get("story_id")
    story_id = parse_id(raw)
    if story_id is None:
        return _error(request, "That is not a story id." if raw else "No story was given.", 400)
    removed = services.remove_story(request.user, story_id)
    if wants_json(request):
        return JsonResponse({"ok": True, "saved": False, "removed": removed, "story_id": story_id})
    return HttpResponseRedirect(_back(request, reverse("saved-list")))


@require_GET
@login_required
def saved_list(request: HttpRequest) -> HttpResponse:
    """The member's saved stories, newest first, each with its gated state (a peek: no count)."""
    items = [
        {"saved": s, "story": s.story, "entitlement": decide(request, s.story, record=False)}
        for s in services.saved_list(request.user)
    ]
    return TemplateResponse(request, "readinglist/saved_list.html", {"items": items})
