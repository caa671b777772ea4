"""Template tags for comments: safe body rendering, the thread block, counts on listings."""

from __future__ import annotations

import secrets
from typing import Any

import nh3
from django import template
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.html import urlize
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from masthead.comments.actions import can_comment_on, can_edit
from masthead.comments.models import ReportReason
from masthead.comments.services import (
    DEFAULT_SORT,
    SORTS,
    annotate_comment_counts,
    build_thread,
    thread_state,
)

register = template.Library()


@register.filter
def site_time(value: Any) -> str:
    """A comment's time as datelines show times: ``December 08, 2026 03:41 am IST``."""
    from masthead.articles.dates import site_time_text

    return site_time_text(value)


LINK_REL = "nofollow ugc noopener"  # Google: rel="ugc" marks user-generated links


@register.filter(is_safe=True)
def render_comment_body(body: str) -> SafeString:
    """Plain comment text → HTML: everything escaped, blank-line paragraphs as ``<p>``,
    single newlines as ``<br>``, http(s) URLs linked with ``rel="nofollow ugc noopener"``.

    Django's ``urlize`` escapes and links; nh3 (ammonia) then keeps only ``p``,
    ``br`` and ``a[href]`` with http/https URLs and sets ``rel`` on every link.
    """
    paragraphs = [p.strip() for p in (body or "").split("\n\n") if p.strip()]
    parts = []
    for para in paragraphs:
        linked = urlize(para, trim_url_limit=60, nofollow=False, autoescape=True)
        parts.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    cleaned = nh3.clean(
        "".join(parts),
        tags={"p", "br", "a"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 above


@register.simple_tag
def comment_nonce() -> str:
    """A fresh per-form nonce; the server returns the same comment when it sees it twice."""
    return secrets.token_urlsafe(18)


@register.simple_tag
def load_comment_counts(items: Any) -> str:
    """Set ``comment_count`` on stories with one query; accepts a list/page of stories
    or the home page's ``section_blocks`` (dicts with ``"stories"``). Outputs nothing."""
    object_list = getattr(items, "object_list", items) or []
    stories: list[Any] = []
    for item in object_list:
        if isinstance(item, dict):
            stories.extend(item.get("stories", []))
        else:
            stories.append(item)
    annotate_comment_counts(stories)
    return ""


def login_url_for(story_url: str) -> str:
    """Sign-in URL that comes back to the story's comment thread."""
    return (
        reverse("account_login") + "?" + urlencode({REDIRECT_FIELD_NAME: story_url + "#comments"})
    )


@register.inclusion_tag("comments/thread.html", takes_context=True)
def comment_thread(context: template.Context, story: Any) -> dict[str, Any]:
    """The comment block under a story: count, sort links, form or sign-in prompt, tree.

    Reads ``comment_form_state`` from the context when a post was refused
    (``{"body", "message", "parent_id", "level"}``) so the writer's text is kept.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    sort = request.GET.get("sort", DEFAULT_SORT) if request else DEFAULT_SORT
    if sort not in SORTS:
        sort = DEFAULT_SORT
    nodes, count = build_thread(story, user, sort)
    page = Paginator(
        nodes, settings.MASTHEAD_COMMENTS_PAGE_SIZE, allow_empty_first_page=True
    ).get_page(request.GET.get("cpage") if request else None)
    story_url = story.get_url(request) or story.url or "/"
    can_post, why_code, why_not = can_comment_on(user, story)
    state = thread_state(story)
    return {
        "request": request,
        "user": user,
        "story": story,
        "story_url": story_url,
        "nodes": page.object_list,
        "page_obj": page,
        "count": count,
        "sort": sort,
        "sorts": SORTS,
        "state": state,
        "can_post": can_post and state.open,
        "why_not": why_not,
        "why_code": why_code,
        "is_member": bool(user and user.is_authenticated),
        "login_url": login_url_for(story_url),
        "form_state": context.get("comment_form_state") or {},
        "max_length": settings.MASTHEAD_COMMENTS_MAX_LENGTH,
        "max_depth": settings.MASTHEAD_COMMENTS_MAX_DEPTH,
        "edit_minutes": settings.MASTHEAD_COMMENTS_EDIT_WINDOW_MINUTES,
        "report_reasons": ReportReason.choices,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def comment_permissions(context: template.Context, node: Any) -> dict[str, bool]:
    """What the viewer may do with ``node``'s comment: reply, edit, delete, react, report."""
    user = context.get("user")
    c = node.comment
    mine = bool(user and user.is_authenticated and c.author_id == user.pk)
    published = node.visible and not node.own_pending
    return {
        "reply": bool(context.get("can_post"))
        and published
        and c.depth + 1 < settings.MASTHEAD_COMMENTS_MAX_DEPTH,
        "edit": mine and can_edit(user, c),
        "delete": mine,
        "react": bool(user and user.is_authenticated) and published and not mine,
        "report": bool(user and user.is_authenticated) and published and not mine,
    }
