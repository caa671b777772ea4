"""Move an anonymous reader's meter onto the account at sign-in and sign-up."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_signed_up
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from masthead.metering.services import anonymous_meter_id, merge_anonymous_meter


def _carry_over(request: HttpRequest | None, user: Any) -> None:
    if request is None or user is None or user.pk is None:
        return
    meter_id = anonymous_meter_id(request)
    if meter_id:
        merge_anonymous_meter(meter_id, user)
        request._masthead_meter_clear = True
        request.__dict__.pop("_masthead_meter_new_id", None)
        request.__dict__.pop("_masthead_entitlements", None)


@receiver(user_logged_in, dispatch_uid="masthead_meter_login")
def carry_meter_on_login(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any
) -> None:
    """Django's ``user_logged_in`` (also sent by allauth for password and code logins)."""
    _carry_over(request, user)


@receiver(user_signed_up, dispatch_uid="masthead_meter_signup")
def carry_meter_on_signup(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any
) -> None:
    """allauth's ``user_signed_up`` (the account exists before the email is verified)."""
    _carry_over(request, user)
