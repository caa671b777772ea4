"""Account page, export my data, delete my account (thin: logic in services)."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from allauth.account.views import password_change as allauth_password_change
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from masthead.accounts import services
from masthead.accounts.forms import DeleteAccountForm, DisplayNameForm


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Account page: display name (POST updates it), links to emails, password, sessions."""
    profile = services.get_profile(request.user)
    form = DisplayNameForm(request.POST or None, initial={"display_name": profile.display_name})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.set_display_name(request.user, form.cleaned_data["display_name"])
            except ValueError as exc:  # the name is another member's (services.name_taken)
                form.add_error("display_name", str(exc))
            else:
                messages.success(request, "Your display name was saved.")
                return HttpResponseRedirect(reverse("account-home"))
        return TemplateResponse(
            request, "accounts/account.html", {"form": form, "profile": profile}, status=400
        )
    return TemplateResponse(request, "accounts/account.html", {"form": form, "profile": profile})


@login_required
@require_POST
@reauthentication_required
def export(request: HttpRequest) -> HttpResponse:
    """POST → ``masthead-data.json``: everything held about the reader, after
    re-authentication (allauth replays the POST once the reader has confirmed)."""
    data = services.export_personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="masthead-data.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    """Delete the account after re-authentication and a typed confirmation."""
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = request.user
            logout(request)
            services.delete_account(user)
            messages.success(request, "Your account and personal data were deleted.")
            return HttpResponseRedirect("/")
        return TemplateResponse(request, "accounts/delete.html", {"form": form}, status=400)
    return TemplateResponse(request, "accounts/delete.html", {"form": form})


#: allauth's "change password", after re-authentication (password or emailed code), so
#: a stolen session cannot change it; allauth's form still asks for the current one.
password_change = login_required(reauthentication_required(allauth_password_change))
