"""The "Guidelines model" page of the moderation admin (``/admin/moderation/model/``).

Shows the site model in use (or that the shipped base model decides), how many decisions
it learnt from, its held-out figures as server-rendered SVG charts, every trained version,
and the per-category thresholds with a preview of how last month's comments would have
been decided at new values. Promote and rollback go through a confirmation page and a POST.

Thin: permission (``moderator_required`` on every request, so a POST re-checks it), forms,
and calls into :mod:`masthead.moderation.site_model_api`, which calls the learning package.
Every POST is CSRF-protected by Django's middleware.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from masthead.moderation import model_chart, site_model_api
from masthead.moderation.model_forms import ModelThresholdsForm
from masthead.moderation.model_preview import PREVIEW_DAYS, preview_thresholds
from masthead.moderation.views import moderator_required

METRIC_NAMES = ("precision", "recall", "f1", "support")


def _metric_rows(version: Any) -> list[dict[str, Any]]:
    """Per category: precision, recall, F1, support, and the F1 of the model compared with."""
    metrics = version.metrics if isinstance(version.metrics, dict) else {}
    per = metrics.get("per_category") or {}
    compared = (metrics.get("compared_with") or {}).get("per_category") or {}
    rows = []
    for cat, figures in per.items():
        if not isinstance(figures, dict):
            continue
        row: dict[str, Any] = {"category": cat}
        for name in METRIC_NAMES:
            value = figures.get(name)
            row[name] = value if isinstance(value, int | float) else None
        other = compared.get(cat) if isinstance(compared, dict) else None
        row["compared_f1"] = other.get("f1") if isinstance(other, dict) else None
        rows.append(row)
    return rows


def _charts(version: Any) -> dict[str, Any]:
    metrics = version.metrics if isinstance(version.metrics, dict) else {}
    per = metrics.get("per_category") or {}
    return {
        "bars": model_chart.metrics_bars_svg(per if isinstance(per, dict) else {}),
        "curve": model_chart.pr_curve_svg(
            metrics.get("pr_curve") or {},
            {
                cat: pair.get("hold")
                for cat, pair in (version.thresholds or {}).items()
                if isinstance(pair, dict) and isinstance(pair.get("hold"), int | float)
            },
        ),
        "confusion": model_chart.confusion_svg(metrics.get("confusion") or {}),
    }


def _page_context(request: HttpRequest, active: Any, form: ModelThresholdsForm | None) -> dict:
    shown = active
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        shown = site_model_api.get_version(int(wanted)) or active
    metrics = shown.metrics if shown is not None and isinstance(shown.metrics, dict) else {}
    return {
        "section": "model",
        "page_title": "Guidelines model",
        "active": active,
        "shown": shown,
        "macro_f1": metrics.get("macro_f1"),
        "compared_with": metrics.get("compared_with") or {},
        "metric_rows": _metric_rows(shown) if shown is not None else [],
        "charts": _charts(shown) if shown is not None else None,
        "versions": list(site_model_api.all_versions()[:50]),
        "trainings": site_model_api.recent_trainings(),
        "decisions_stored": site_model_api.decisions_stored(),
        "form": form,
        "preview_days": PREVIEW_DAYS,
    }


def _thresholds_form(active: Any, data: Any = None) -> ModelThresholdsForm:
    return ModelThresholdsForm(
        data,
        categories=active.labels or list((active.thresholds or {}).keys()),
        initial_thresholds=active.thresholds or {},
    )


@require_http_methods(["GET", "POST"])
@moderator_required
def model_page(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST: preview (nothing saved) or save the active version's thresholds."""
    active = site_model_api.active_version()
    if request.method == "GET":
        form = _thresholds_form(active) if active is not None else None
        return render(request, "moderation/model.html", _page_context(request, active, form))
    if active is None:
        messages.error(request, "No site model is in use, so there are no thresholds to change.")
        return redirect("moderation:model")
    form = _thresholds_form(active, request.POST)
    context_extra: dict[str, Any] = {}
    if form.is_valid():
        thresholds = form.thresholds()
        if form.cleaned_data["action"] == "save":
            try:
                site_model_api.set_thresholds(active.pk, thresholds, request.user)
            except site_model_api.version_error() as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Thresholds of {active.name} saved.")
                return redirect("moderation:model")
        else:
            context_extra["preview"] = preview_thresholds(thresholds)
            context_extra["proposed"] = thresholds
    context = _page_context(request, active, form) | context_extra
    status = 200 if form.is_valid() else 400
    return render(request, "moderation/model.html", context, status=status)


@require_http_methods(["GET", "POST"])
@moderator_required
def promote_version(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirmation page. POST: make version ``pk`` the model deciding new comments."""
    version = site_model_api.get_version(pk)
    if version is None:
        raise Http404("No such model version.")
    if request.method == "POST":
        try:
            site_model_api.promote(version.pk, request.user)
        except site_model_api.version_error() as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{version.name} now decides new comments.")
        return redirect("moderation:model")
    return render(
        request,
        "moderation/model_confirm.html",
        {
            "section": "model",
            "page_title": f"Promote {version.name}?",
            "action": "promote",
            "version": version,
            "active": site_model_api.active_version(),
        },
    )


@require_http_methods(["GET", "POST"])
@moderator_required
def rollback_version(request: HttpRequest) -> HttpResponse:
    """GET: confirmation page. POST: go back to the version in use before the current one."""
    active = site_model_api.active_version()
    if request.method == "POST":
        try:
            name = site_model_api.rollback(request.user)
        except site_model_api.version_error() as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Rolled back: {name} now decides new comments.")
        return redirect("moderation:model")
    if active is None:
        messages.error(request, "The base model is already in use; there is nothing to roll back.")
        return redirect("moderation:model")
    return render(
        request,
        "moderation/model_confirm.html",
        {
            "section": "model",
            "page_title": f"Roll back {active.name}?",
            "action": "rollback",
            "active": active,
            "target": active.previous,
        },
    )
