"""allauth adapter: the reader's profile at sign-up, and every account email in the
paper's voice with links on ``SITE_URL`` (never on the request's Host header)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_str

from masthead.accounts.display import (
    receiving_account,
    site_absolute,
    user_display,
    user_owns,
)
from masthead.articles.dates import site_time_text


@dataclass(frozen=True)
class NewsroomSite:
    """What allauth's emails show as ``current_site``: the paper's name
    (``MASTHEAD_SITE_NAME``), not the host and port, and the host readers use."""

    name: str
    domain: str


class MastheadAccountAdapter(DefaultAccountAdapter):
    """``ACCOUNT_ADAPTER``: every new account gets a :class:`~masthead.accounts.models.Profile`."""

    def clean_email(self, email: str) -> str:
        """Refuse addresses longer than 254 characters (RFC 5321 §4.5.3.1.3 path limit).

        The user table would otherwise store a cut-off address while mail goes to the
        full one.
        """
        from django import forms

        if len(email) > 254:
            raise forms.ValidationError("Please enter an email address of at most 254 characters.")
        return super().clean_email(email)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's emails speak as the paper (``MASTHEAD_SITE_NAME``) and every link in
        them starts with ``SITE_URL``, whatever Host header the request came with."""
        request = allauth_context.request
        origin = request.build_absolute_uri("/").rstrip("/") if request is not None else ""
        fixed: dict[str, Any] = {}
        for key, value in context.items():
            if isinstance(value, str) and origin and value.startswith(origin + "/"):
                value = site_absolute(value[len(origin) :])
            fixed[key] = value
        if isinstance(fixed.get("timestamp"), datetime):
            # "December 08, 2026 07:12 am IST": the datelines' style, in the site's zone.
            fixed["timestamp"] = site_time_text(fixed["timestamp"])
        user = fixed.get("user")
        # Greet by name only at an address the account has proven: a confirmation sent
        # to an address someone typed in tells that inbox nothing about the account.
        greet = user is not None and user_owns(user, email)
        fixed.update(
            {
                "current_site": NewsroomSite(
                    settings.MASTHEAD_SITE_NAME, urlsplit(settings.SITE_URL).netloc
                ),
                "site_name": settings.MASTHEAD_SITE_NAME,
                "site_url": settings.SITE_URL,
                "reader_name": user_display(user) if greet else "",
            }
        )
        if template_prefix == "account/email/email_confirmation" and user is not None:
            # The inbox must know which account it would join (and that imported
            # comments follow the address there) to refuse a stranger's request.
            fixed["account"] = receiving_account(user, email)
        super().send_mail(template_prefix, email, fixed)

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        """The confirmation link, on ``SITE_URL``."""
        return site_absolute(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        """The password-reset link, on ``SITE_URL``."""
        return site_absolute(super().get_reset_password_from_key_url(key))

    def send_password_reset_mail(self, user: Any, email: str, context: dict[str, Any]) -> None:
        """The reset link also carries the address it is mailed to, signed, so that
        completing the reset proves that address (:mod:`masthead.accounts.reset_proof`)."""
        from masthead.accounts.reset_proof import with_address

        url = context.get("password_reset_url")
        if url and getattr(user, "pk", None):
            context = {**context, "password_reset_url": with_address(url, user.pk, email)}
        super().send_password_reset_mail(user, email, context)

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> Any:
        """Sign in with the user row as it is now: proving an address may have just
        discarded the password (:mod:`masthead.accounts.ownership`), and the session
        must carry the hash of the current one."""
        if user.pk:
            user.refresh_from_db(fields=["password", "is_active"])
        return super().pre_login(request, user, **kwargs)

    def format_email_subject(self, subject: str) -> str:
        """Every account email's subject names the paper.

        The subject templates under ``account/email/`` already say it in the paper's
        voice ("Reset your password for <paper>"); a subject that does not (a template
        allauth adds later) gets `` | <paper>`` after it, as the reply email has. A
        non-empty ``ACCOUNT_EMAIL_SUBJECT_PREFIX`` still goes in front.
        """
        text = force_str(subject)
        name = settings.MASTHEAD_SITE_NAME
        if name and name.lower() not in text.lower():
            text = f"{text} | {name}"
        return (app_settings.EMAIL_SUBJECT_PREFIX or "") + text

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from masthead.accounts.services import get_profile

            get_profile(user)
        return user
