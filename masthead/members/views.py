"""Wagtail admin page "Members CSV": export and import (staff only, CSRF-protected POSTs)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from masthead.members.csvio import COLUMNS
from masthead.members.services import export_csv, import_csv

MAX_UPLOAD = 100 * 1024 * 1024  # bytes; a 100,000-member file is about 15 MB


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """403 for anyone but active staff (Wagtail's admin check runs before this)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    return render(
        request, "members/admin/members.html", {"columns": COLUMNS, **context}, status=status
    )


@require_GET
@staff_only
def index(request: HttpRequest) -> HttpResponse:
    """The export button and the import form."""
    return _page(request)


@require_POST
@staff_only
def export(request: HttpRequest) -> StreamingHttpResponse:
    """Every member as a CSV download (a POST, so no other site can start it)."""
    response = StreamingHttpResponse(export_csv(), content_type="text/csv; charset=utf-8")
    name = f"members-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_only
def import_view(request: HttpRequest) -> HttpResponse:
    """Check and import an uploaded file; show the bad lines or what was done."""
    upload = request.FILES.get("file")
    source = (request.POST.get("source") or "").strip()[:50]
    dry_run = request.POST.get("dry_run") == "on"
    if upload is None:
        return _page(request, 400, problem="Choose a CSV file to import.")
    if upload.size > MAX_UPLOAD:
        return _page(
            request, 400, problem="The file is larger than 100 MB; split it and import the parts."
        )
    outcome = import_csv(upload.read(), source or upload.name.rsplit(".", 1)[0], dry_run=dry_run)
    if outcome.done is None:
        return _page(request, 400, checked=outcome.checked, source=source)
    return _page(request, checked=outcome.checked, done=outcome.done, source=source)
