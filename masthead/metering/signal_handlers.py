"""Move an anonymous reader's meter onto the account at sign-in and sign-up."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_signed_up
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from masthead.core.page_cache import bump_content_version
from masthead.metering.models import MeterSettings, MeterView
from masthead.metering.services import anonymous_meter_id, forget_mirror, merge_anonymous_meter


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


@receiver(post_delete, sender=MeterView, dispatch_uid="masthead_meter_mirror_forget")
def forget_deleted_views(sender: Any, instance: MeterView, **kwargs: Any) -> None:
    """A deleted meter row drops the reader's cached mirror (now and after the commit),
    so the mirror never claims a story that the table no longer counts."""
    forget_mirror(instance.reader_key, instance.period)
    transaction.on_commit(lambda: forget_mirror(instance.reader_key, instance.period))


@receiver(post_save, sender=MeterSettings, dispatch_uid="masthead_meter_settings_bump")
def meter_settings_changed(sender: Any, created: bool = False, **kwargs: Any) -> None:
    """Cached story pages carry the site's allowances: changed limits invalidate them.
    (A row created on first use holds the defaults the pages were rendered with.)"""
    if not created:
        # After the commit: a page rendered meanwhile must not store the old limits
        # under the new version.
        transaction.on_commit(bump_content_version)
