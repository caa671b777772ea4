"""Moderation queue views in the Wagtail admin (mounted under ``/admin/moderation/``).

Thin: each view checks ``moderation.moderate_comments``, validates a form and calls
:mod:`masthead.moderation.services`. Wagtail already requires an admin login for every
URL registered through ``register_admin_urls``; a signed-in user without the permission
gets 403. Every POST is CSRF-protected by Django's middleware.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from masthead.comments.models import Comment, CommentStatus
from masthead.moderation import queue_order, services
from masthead.moderation.forms import (
    BulkActionForm,
    MemberActionForm,
    QueueFilterForm,
    ThresholdsForm,
    WordForm,
)
from masthead.moderation.models import (
    DecisionAction,
    MemberStatus,
    ModerationDecision,
    ModerationWord,
    WordKind,
)
from masthead.moderation.presentation import highlight, summarise

PERMISSION = "moderation.moderate_comments"
PAGE_SIZE = 50
LOG_PAGE_SIZE = 100
TABS = {
    "pending": "Pending",
    "reported": "Reported",
    "rejected": "Rejected",
}


def can_moderate(user: Any) -> bool:
    """True for active users holding ``moderation.moderate_comments`` (superusers too)."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(PERMISSION))


def moderator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Raise PermissionDenied (403) unless the user may moderate."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_moderate(request.user):
            raise PermissionDenied("You need the comment moderation permission.")
        return view(request, *args, **kwargs)

    return wrapped


def _report_model() -> Any | None:
    return services.report_model()


def _open_reports(report: Any) -> QuerySet:
    """Reports not yet resolved (all reports when the model has no ``resolved_at``)."""
    if any(f.name == "resolved_at" for f in report._meta.get_fields()):
        return report.objects.filter(resolved_at__isnull=True)
    return report.objects.all()


def _safe_next(request: HttpRequest, fallback: str) -> str:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return fallback


def _tab_queryset(tab: str) -> QuerySet[Comment]:
    qs = Comment.objects.select_related("story", "author", "author__moderation_status")
    if tab == "pending":
        return qs.filter(status=CommentStatus.PENDING).order_by("created_at", "id")
    if tab == "rejected":
        return qs.filter(status__in=[CommentStatus.REJECTED, CommentStatus.SPAM]).order_by(
            "-created_at", "-id"
        )
    report = _report_model()
    if report is None:
        return qs.none()
    lookup = report._meta.get_field("comment").related_query_name()
    open_filter = Q(**{f"{lookup}__in": _open_reports(report)})
    return (
        qs.filter(status__in=[CommentStatus.PENDING, CommentStatus.PUBLISHED])
        .annotate(report_count=Count(lookup, filter=open_filter, distinct=True))
        .filter(report_count__gt=0)
        .order_by("-report_count", "-created_at")
    )


def _rows(comments: list[Comment], tab: str) -> list[dict[str, Any]]:
    reasons_by_comment: dict[int, list[dict[str, Any]]] = {}
    report = _report_model()
    if tab == "reported" and report is not None and comments:
        for row in (
            _open_reports(report)
            .filter(comment__in=comments)
            .values("comment_id", "reason")
            .annotate(n=Count("id"))
            .order_by("comment_id", "-n")
        ):
            reasons_by_comment.setdefault(row["comment_id"], []).append(
                {"reason": row["reason"], "count": row["n"]}
            )
    rows = []
    for comment in comments:
        summary = summarise(comment.verdict)
        status = getattr(comment.author, "moderation_status", None) if comment.author_id else None
        rows.append(
            {
                "comment": comment,
                "text": highlight(comment.body, summary.spans),
                "summary": summary,
                "member_status": status,
                "reports": reasons_by_comment.get(comment.pk, []),
                "report_count": getattr(comment, "report_count", 0),
                "margin": getattr(comment, "threshold_margin", None),
            }
        )
    return rows


@require_GET
@moderator_required
def queue(request: HttpRequest, tab: str = "pending") -> HttpResponse:
    """List one tab (pending, reported, rejected) with filters and bulk-action checkboxes."""
    if tab not in TABS:
        return redirect("moderation:queue", tab="pending")
    qs = _tab_queryset(tab)
    filters = QueueFilterForm(request.GET or None)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            qs = qs.filter(body__icontains=data["q"])
        if data["reason"]:
            qs = qs.filter(verdict__reasons__icontains=f'"{data["reason"]}"')
        if data["author"]:
            qs = qs.filter(
                Q(author_name__icontains=data["author"])
                | Q(author__username__icontains=data["author"])
            )
        if data["story"]:
            qs = qs.filter(story_id=data["story"])
    order = queue_order.chosen_order(tab, request.GET.get("order", ""))
    if order == "least-sure":
        page, comments = queue_order.least_sure_page(qs, request.GET.get("page"), PAGE_SIZE)
    else:
        if order == "oldest":
            qs = qs.order_by("created_at", "id")
        elif order == "newest":
            qs = qs.order_by("-created_at", "-id")
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        comments = list(page.object_list)
    counts = {
        "pending": Comment.objects.filter(status=CommentStatus.PENDING).count(),
        "rejected": Comment.objects.filter(
            status__in=[CommentStatus.REJECTED, CommentStatus.SPAM]
        ).count(),
        "reported": _tab_queryset("reported").count(),
    }
    query = request.GET.copy()
    query.pop("page", None)
    order_query = query.copy()
    order_query.pop("order", None)
    return render(
        request,
        "moderation/queue.html",
        {
            "section": "queue",
            "page_title": f"Moderation queue: {TABS[tab]}",
            "tab": tab,
            "tabs": [(key, label, counts[key]) for key, label in TABS.items()],
            "page": page,
            "rows": _rows(comments, tab),
            "order": order,
            "orders": queue_order.order_choices(tab),
            "order_query": order_query.urlencode(),
            "filters": filters,
            "query": query.urlencode(),
            "reports_available": _report_model() is not None,
            "bulk_form": BulkActionForm(),
        },
    )


@require_POST
@moderator_required
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Approve or reject the ticked comments; redirect back to the tab with a message."""
    fallback = reverse("moderation:queue", kwargs={"tab": "pending"})
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_safe_next(request, fallback))
    action = form.cleaned_data["action"]
    if action == "approve":
        changed = services.approve(
            form.cleaned_data["ids"], request.user, form.cleaned_data["reason"]
        )
    else:
        changed = services.reject(
            form.cleaned_data["ids"],
            request.user,
            form.cleaned_data["reason"],
            category=form.cleaned_data["category"],
        )
    skipped = len(form.cleaned_data["ids"]) - len(changed)
    verb = "Approved" if action == "approve" else "Rejected"
    messages.success(request, f"{verb} {len(changed)} comment{'s' if len(changed) != 1 else ''}.")
    if skipped:
        messages.warning(
            request, f"{skipped} comment(s) were skipped: already in that state or deleted."
        )
    return redirect(_safe_next(request, fallback))


@moderator_required
def member(request: HttpRequest, user_id: int) -> HttpResponse:
    """A member's status, warnings, recent comments and log; POST applies an action."""
    user = get_object_or_404(get_user_model(), pk=user_id)
    form = MemberActionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid() and (user.is_staff or user.is_superuser):
            form.add_error(None, "Staff accounts are not moderated here; change them in Users.")
        elif form.is_valid():
            data = form.cleaned_data
            action, reason = data["action"], data["reason"]
            try:
                if action == DecisionAction.WARN:
                    services.warn_member(user, reason, request.user)
                elif action == DecisionAction.SUSPEND:
                    services.suspend_member(user, data["until"], reason, request.user)
                elif action == DecisionAction.BAN:
                    services.ban_member(user, reason, request.user)
                elif action == DecisionAction.PREMOD:
                    services.set_premoderation(user, reason, request.user)
                else:
                    services.lift_restrictions(user, reason, request.user)
            except services.ModerationError as exc:
                form.add_error(None, str(exc))
            else:
                label = dict(MemberActionForm.ACTIONS)[action].rstrip("…")
                messages.success(request, f"{label}: {services.display_name(user)}.")
                return redirect(_safe_next(request, reverse("moderation:member", args=[user.pk])))
    elif request.method != "GET":
        return HttpResponse(status=405)
    status = MemberStatus.objects.filter(user=user).first()
    return render(
        request,
        "moderation/member.html",
        {
            "section": "queue",
            "page_title": f"Member: {services.display_name(user)}",
            "member": user,
            "member_name": services.display_name(user),
            "status": status,
            "suspended_now": bool(status and status.is_suspended()),
            "form": form,
            "comments": Comment.objects.filter(author=user)
            .select_related("story")
            .order_by("-created_at")[:20],
            "decisions": ModerationDecision.objects.filter(user=user)[:20],
        },
        status=400 if request.method == "POST" else 200,
    )


@moderator_required
def words(request: HttpRequest) -> HttpResponse:
    """The banned and suspect lists; POST adds a word."""
    form = WordForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.add_word(
                    form.cleaned_data["word"],
                    form.cleaned_data["kind"],
                    request.user,
                    form.cleaned_data["reason"],
                )
            except services.ModerationError as exc:
                form.add_error("word", str(exc))
            else:
                messages.success(request, f"Added “{form.cleaned_data['word']}”.")
                return redirect("moderation:words")
    elif request.method != "GET":
        return HttpResponse(status=405)
    entries = ModerationWord.objects.select_related("added_by")
    return render(
        request,
        "moderation/words.html",
        {
            "section": "words",
            "page_title": "Banned and suspect words",
            "form": form,
            "banned": [w for w in entries if w.kind == WordKind.BANNED],
            "suspect": [w for w in entries if w.kind == WordKind.SUSPECT],
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@moderator_required
def remove_word(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one word from its list."""
    try:
        services.remove_word(pk, request.user, request.POST.get("reason", "")[:1000])
    except services.ModerationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Removed the word.")
    return redirect("moderation:words")


@moderator_required
def thresholds(request: HttpRequest) -> HttpResponse:
    """Edit the current site's thresholds (logged with before/after values)."""
    current = services.thresholds_for(None)
    if current.pk is None:
        raise Http404("No Wagtail site is set up yet.")
    form = ThresholdsForm(request.POST or None, instance=services.thresholds_for(None))
    if request.method == "POST":
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in current.THRESHOLD_FIELDS}
            try:
                services.update_thresholds(
                    current, changes, request.user, form.cleaned_data["reason"]
                )
            except ValidationError as exc:  # pragma: no cover - the form validated the same rules
                form.add_error(None, exc)
            else:
                messages.success(request, "Thresholds saved.")
                return redirect("moderation:thresholds")
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(
        request,
        "moderation/thresholds.html",
        {"form": form, "section": "thresholds", "page_title": "Thresholds"},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@moderator_required
def decision_log(request: HttpRequest) -> HttpResponse:
    """The decision log, newest first, read-only, paginated; ``?action=`` filters."""
    qs = ModerationDecision.objects.select_related("actor", "user", "comment")
    action = request.GET.get("action", "")
    if action in DecisionAction.values:
        qs = qs.filter(action=action)
    else:
        action = ""
    page = Paginator(qs, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "moderation/log.html",
        {
            "section": "log",
            "page_title": "Decision log",
            "page": page,
            "action": action,
            "actions": DecisionAction.choices,
        },
    )
