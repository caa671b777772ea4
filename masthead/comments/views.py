"""Thin views over :mod:`masthead.comments.actions`.

Every POST is CSRF-protected by Django's middleware. Each view answers HTML (a
redirect back to the thread on success; the story page re-rendered with the
writer's text and the message on failure) or JSON when the request asks for it
(:func:`masthead.core.json_api.wants_json`: ``Accept: application/json``, any
``X-Requested-With`` or ``Sec-Fetch-Dest: empty``; ``static/js/comments.js`` sends the
first two). Every JSON error body carries ``{"ok": false, "code", "message"}``, the same
shape the JSON error middleware gives the errors raised around these views.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from masthead.articles.models import StoryPage
from masthead.comments import actions
from masthead.comments.forms import CommentForm, ReportForm
from masthead.comments.models import Comment, CommentStatus
from masthead.comments.services import Node
from masthead.comments.templatetags.comment_tags import comment_nonce, login_url_for
from masthead.core.ids import parse_id
from masthead.core.json_api import error_body, json_error, wants_json


def _story_url(request: HttpRequest, story: StoryPage) -> str:
    return story.get_url(request) or story.url or "/"


def _live_story(story_id: int) -> StoryPage:
    if parse_id(story_id) is None:  # beyond a 64-bit id: no such story (not a 500)
        raise Http404("No such story.")
    return get_object_or_404(StoryPage.objects.live().public().specific(), pk=story_id)


def _need_login(request: HttpRequest, story: StoryPage) -> HttpResponse:
    login_url = login_url_for(_story_url(request, story))
    if wants_json(request):
        return json_error(
            401, "Please sign in to comment.", code="login", status="login", login_url=login_url
        )
    return redirect(login_url)


def _comment_html(request: HttpRequest, comment: Comment) -> str:
    node = Node(comment, visible=True, own_pending=comment.status == CommentStatus.PENDING)
    return render_to_string(
        "comments/_comment.html",
        {
            "node": node,
            "user": request.user,
            "can_post": True,
            "max_length": settings.MASTHEAD_COMMENTS_MAX_LENGTH,
        },
        request=request,
    )


def _render_story(
    request: HttpRequest, story: StoryPage, form_state: dict[str, Any], status: int
) -> HttpResponse:
    """The story page again, with the comment form holding the writer's text and message."""
    request.is_preview = False
    context = story.get_context(request)
    context["comment_form_state"] = form_state
    return TemplateResponse(request, story.get_template(request), context, status=status)


def _with_retry_after(response: HttpResponse, retry_after: int | None) -> HttpResponse:
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _post_payload(result: actions.PostResult, **extra: Any) -> dict[str, Any]:
    """JSON for a post or edit: a success's ``status``, or the common error body."""
    if result.ok:
        return {
            "ok": True,
            "status": result.status,
            "message": result.full_message,
            "code": result.code,
            **extra,
        }
    code = result.code or ("rate_limited" if result.retry_after is not None else result.status)
    return error_body(result.http_status, result.full_message, code, status=result.status, **extra)


def _respond(
    request: HttpRequest, story: StoryPage, result: actions.PostResult, parent: Comment | None
) -> HttpResponse:
    story_url = _story_url(request, story)
    if wants_json(request):
        payload = _post_payload(
            result,
            duplicate=result.duplicate,
            body=result.body,
            nonce=comment_nonce(),
            reasons=[str(r) for r in result.verdict.reasons] if result.verdict else [],
        )
        if result.ok and result.comment is not None:
            payload["comment"] = {
                "id": result.comment.pk,
                "parent_id": result.comment.parent_id,
                "url": f"{story_url}#comment-{result.comment.pk}",
                "html": _comment_html(request, result.comment),
            }
        response = JsonResponse(payload, status=result.http_status)
        if not result.ok:
            response["Cache-Control"] = "no-store"
        return _with_retry_after(response, result.retry_after)
    if result.ok and result.comment is not None:
        level = messages.SUCCESS if result.status == actions.PUBLISHED else messages.INFO
        messages.add_message(request, level, result.full_message)
        return redirect(f"{story_url}#comment-{result.comment.pk}")
    form_state = {
        "body": result.body,
        "message": result.full_message,
        "parent_id": parent.pk if parent is not None and result.code != "bad_parent" else None,
        "status": result.status,
    }
    return _with_retry_after(
        _render_story(request, story, form_state, result.http_status), result.retry_after
    )


@require_POST
def post(request: HttpRequest, story_id: int) -> HttpResponse:
    """POST a new top-level comment on a story (404 if the story is not live)."""
    story = _live_story(story_id)
    if not request.user.is_authenticated:
        return _need_login(request, story)
    form = CommentForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    result = actions.post_comment(
        request.user, story, data.get("body", ""), idempotency_key=data.get("nonce")
    )
    return _respond(request, story, result, None)


@require_POST
def reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    """POST a reply to a comment (404 unknown comment; 400 when it cannot take replies)."""
    parent = get_object_or_404(Comment.objects.select_related("story"), pk=comment_id)
    story = _live_story(parent.story_id)
    if not request.user.is_authenticated:
        return _need_login(request, story)
    form = CommentForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    result = actions.post_comment(
        request.user, story, data.get("body", ""), parent=parent, idempotency_key=data.get("nonce")
    )
    return _respond(request, story, result, parent)


def _own_comment(request: HttpRequest, comment_id: int) -> Comment:
    """The viewer's own comment (404 for anyone else's, so ids reveal nothing)."""
    return get_object_or_404(
        Comment.objects.select_related("story"), pk=comment_id, author=request.user
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Edit form (GET) and save (POST) for the viewer's own comment within the edit window."""
    comment = _own_comment(request, comment_id)
    story = comment.story.specific
    story_url = _story_url(request, story)
    if request.method == "GET":
        allowed = actions.can_edit(request.user, comment)
        message = "" if allowed else actions.edit_window_message()
        return render(
            request,
            "comments/edit.html",
            {
                "comment": comment,
                "story": story,
                "story_url": story_url,
                "body": comment.body,
                "message": message,
                "allowed": allowed,
            },
            status=200 if allowed else 403,
        )
    result = actions.edit_comment(
        request.user, comment, CommentForm(request.POST).data.get("body", "")
    )
    if wants_json(request):
        payload = _post_payload(result, body=result.body)
        if result.ok and result.comment is not None:
            payload["comment"] = {"id": comment.pk, "html": _comment_html(request, result.comment)}
        return JsonResponse(payload, status=200 if result.ok else result.http_status)
    if result.ok:
        messages.success(request, result.full_message)
        return redirect(f"{story_url}#comment-{comment.pk}")
    return render(
        request,
        "comments/edit.html",
        {
            "comment": comment,
            "story": story,
            "story_url": story_url,
            "body": result.body,
            "message": result.full_message,
            "allowed": result.code not in ("edit_window", "not_yours"),
        },
        status=result.http_status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Confirm (GET) and delete (POST) the viewer's own comment."""
    comment = _own_comment(request, comment_id)
    story_url = _story_url(request, comment.story.specific)
    if request.method == "GET":
        return render(request, "comments/delete.html", {"comment": comment, "story_url": story_url})
    result = actions.delete_own_comment(request.user, comment)
    if wants_json(request):
        if not result.ok:
            return json_error(result.http_status, result.message)
        return JsonResponse({"ok": True, "message": result.message}, status=result.http_status)
    messages.success(request, result.message)
    return redirect(f"{story_url}#comment-{comment.pk}")


@require_POST
def react(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Like or dislike a published comment (``value`` = like | dislike | clear)."""
    comment = get_object_or_404(Comment.objects.select_related("story"), pk=comment_id)
    story = _live_story(comment.story_id)
    if not request.user.is_authenticated:
        return _need_login(request, story)
    value = {"like": 1, "dislike": -1, "clear": 0}.get(request.POST.get("value", ""), None)
    if value is None:
        result = actions.ActionResult(False, "Choose like or dislike.", 400)
    else:
        result = actions.react(request.user, comment, value)
    if wants_json(request):
        if not result.ok:
            return json_error(result.http_status, result.message, **result.data)
        return JsonResponse(
            {"ok": True, "message": result.message, **result.data}, status=result.http_status
        )
    if not result.ok:
        return render(
            request,
            "comments/message.html",
            {"message": result.message, "story_url": _story_url(request, story)},
            status=result.http_status,
        )
    messages.success(request, result.message)
    return redirect(f"{_story_url(request, story)}#comment-{comment.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Report form (GET) and report (POST) for a published comment (404 for anything else)."""
    comment = get_object_or_404(
        Comment.objects.select_related("story"), pk=comment_id, status=CommentStatus.PUBLISHED
    )
    story_url = _story_url(request, comment.story.specific)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            result = actions.report_comment(
                request.user, comment, form.cleaned_data["reason"], form.cleaned_data["note"]
            )
        else:
            errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
            message = (
                "Please choose a reason for your report."
                if "reason" in form.errors
                else f"Your report could not be sent: {errors}"
            )
            result = actions.ActionResult(False, message, 400)
        if wants_json(request):
            if not result.ok:
                return json_error(result.http_status, result.message)
            return JsonResponse({"ok": True, "message": result.message}, status=result.http_status)
        if result.ok:
            messages.success(request, result.message)
            return redirect(f"{story_url}#comment-{comment.pk}")
        return render(
            request,
            "comments/report.html",
            {"comment": comment, "form": form, "story_url": story_url, "message": result.message},
            status=result.http_status,
        )
    return render(
        request, "comments/report.html", {"comment": comment, "form": form, "story_url": story_url}
    )


@login_required
def my_comments(request: HttpRequest) -> HttpResponse:
    """The member's own comments across stories, newest first, with their status."""
    qs = (
        Comment.objects.filter(author=request.user)
        .select_related("story")
        .order_by("-created_at", "-id")
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "comments/mine.html", {"page_obj": page, "statuses": CommentStatus})
