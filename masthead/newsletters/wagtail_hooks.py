"""Wagtail admin: newsletters, issues (compose, preview, test send, schedule/send now), consent log.

Menu "Newsletters" groups: Newsletters, Issues, Subscribers (read-only), Consent log
(read-only). An issue's "Send…" page (``/admin/newsletters/issue/<pk>/send/``) shows
the delivery counts, a browser preview, and the test-send / schedule / send-now forms.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from masthead.newsletters import services
from masthead.newsletters.emails import IssueRenderer
from masthead.newsletters.models import ConsentEvent, Newsletter, NewsletterIssue, Subscriber
from masthead.newsletters.sending import IssueNotSendable, schedule_issue, send_test


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Allow viewing (for users who may change it) but never add, change or delete."""

    def user_has_permission(self, user: object, action: str) -> bool:  # noqa: D102
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, "change") or super().user_has_permission(
            user, action
        )


class NewsletterViewSet(ModelViewSet):
    name = "newsletter_lists"
    url_prefix = "newsletters/lists"
    model = Newsletter
    icon = "mail"
    menu_label = "Newsletters"
    list_display = ["name", "slug", "cadence", "kind", "active"]


def _send_link(issue: NewsletterIssue) -> str:
    return format_html(
        '<a href="{}">Preview &amp; send…</a>', reverse("newsletters_admin_send", args=[issue.pk])
    )


class IssueViewSet(ModelViewSet):
    name = "newsletter_issues"
    url_prefix = "newsletters/issues"
    model = NewsletterIssue
    icon = "doc-full"
    menu_label = "Issues"
    list_display = [
        "subject",
        "newsletter",
        "status",
        "scheduled_at",
        Column("send", label="Send", accessor=_send_link),
    ]
    list_filter = ["newsletter", "status"]


class SubscriberViewSet(ModelViewSet):
    name = "newsletter_subscribers"
    url_prefix = "newsletters/subscribers"
    model = Subscriber
    icon = "group"
    menu_label = "Subscribers"
    list_display = ["email", "user", "confirmed_at", "created_at"]
    search_fields = ["email"]
    form_fields = ["email"]
    inspect_view_enabled = True


class ConsentLogViewSet(ModelViewSet):
    name = "newsletter_consent_log"
    url_prefix = "newsletters/consent-log"
    model = ConsentEvent
    icon = "list-ul"
    menu_label = "Consent log"
    list_display = ["created_at", "email", "action", "newsletter_name", "source", "ip_hash"]
    list_filter = ["action", "source"]
    search_fields = ["email"]
    form_fields = ["email"]
    inspect_view_enabled = True


register_permission_policy(Subscriber, ReadOnlyPolicy(Subscriber))
register_permission_policy(ConsentEvent, ReadOnlyPolicy(ConsentEvent))


class NewslettersGroup(ModelViewSetGroup):
    menu_label = "Newsletters"
    menu_icon = "mail"
    menu_order = 250
    items = (NewsletterViewSet, IssueViewSet, SubscriberViewSet, ConsentLogViewSet)


@hooks.register("register_admin_viewset")
def register_viewset() -> NewslettersGroup:
    return NewslettersGroup()


# --- custom views ---------------------------------------------------------------------------
def _issue_for(request: HttpRequest, pk: int) -> NewsletterIssue:
    if not request.user.has_perm("newsletters.change_newsletterissue"):
        raise PermissionDenied
    return get_object_or_404(NewsletterIssue.objects.select_related("newsletter"), pk=pk)


def send_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts, preview iframe and the test/schedule/send-now forms for one issue."""
    issue = _issue_for(request, pk)
    return render(
        request,
        "newsletters/admin/send.html",
        {
            "issue": issue,
            "counts": services.delivery_counts(issue),
            "recipients": services.recipients_for(issue.newsletter).count(),
            "default_email": request.user.email,
            "editable": issue.status
            in {NewsletterIssue.Status.DRAFT, NewsletterIssue.Status.SCHEDULED},
        },
    )


def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The issue's HTML part exactly as sent (CSS inlined), for a dummy recipient."""
    issue = _issue_for(request, pk)
    _, body_html, _ = IssueRenderer(issue).bodies(0)
    response = HttpResponse(body_html)
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@require_POST
def test_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the issue to one address (default: the editor's own)."""
    issue = _issue_for(request, pk)
    email = (request.POST.get("email") or request.user.email or "").strip()
    try:
        validate_email(email)
    except Exception:  # noqa: BLE001 - ValidationError
        messages.error(request, "Enter a valid email address for the test send.")
        return redirect("newsletters_admin_send", pk)
    try:
        send_test(issue, email)
    except Exception as exc:  # noqa: BLE001 - show the SMTP error to the editor
        messages.error(request, f"The test send failed: {exc}")
    else:
        messages.success(request, f"Test sent to {email}.")
    return redirect("newsletters_admin_send", pk)


@require_POST
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule (``when`` = ISO local datetime) or send now (no ``when``)."""
    issue = _issue_for(request, pk)
    when_raw = (request.POST.get("when") or "").strip()
    when: datetime | None = None
    if when_raw:
        when = parse_datetime(when_raw)
        if when is None:
            messages.error(request, "Enter the time as YYYY-MM-DD HH:MM.")
            return redirect("newsletters_admin_send", pk)
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
    try:
        schedule_issue(issue, when)
    except IssueNotSendable as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Scheduled for {timezone.localtime(issue.scheduled_at):%d %b %Y %H:%M}."
        )
    return redirect("newsletters_admin_send", pk)


@hooks.register("register_admin_urls")
def register_admin_urls() -> list:
    return [
        path("newsletters/issue/<int:pk>/send/", send_page, name="newsletters_admin_send"),
        path("newsletters/issue/<int:pk>/preview/", preview, name="newsletters_admin_preview"),
        path("newsletters/issue/<int:pk>/test/", test_send, name="newsletters_admin_test"),
        path("newsletters/issue/<int:pk>/schedule/", schedule, name="newsletters_admin_schedule"),
    ]
