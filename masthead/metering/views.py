"""The meter as JSON for the page and apps."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from masthead.metering.services import request_meter_state


# Read-only and changes nothing, so no CSRF check: a POST gets 405 with ``Allow`` (from
# ``require_safe``) rather than a misleading 403 for a missing token.
@csrf_exempt
@require_safe
@never_cache
def meter_json(request: HttpRequest) -> JsonResponse:
    """``GET /meter.json`` (or ``HEAD``) → ``{"reader", "unlimited", "views", "views_left", "max_views",
    "period_start", "period_end"}``; unlimited readers get ``null`` counts."""
    reader, state = request_meter_state(request)
    data = {"reader": reader.kind, "unlimited": reader.unlimited}
    if state is None:
        data.update(views=None, views_left=None, max_views=None, period_start=None, period_end=None)
    else:
        data.update(state.as_json())
    response = JsonResponse(data)
    response["Cache-Control"] = "private, no-store"
    return response


def subscribe(request: HttpRequest) -> HttpResponse:
    """The subscribe page the paywall links to; ``?next=`` (a safe local URL) links back."""
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = ""
    return TemplateResponse(request, "metering/subscribe.html", {"next": nxt})
