"""allauth adapter: create the reader's profile at sign-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.utils.encoding import force_str


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
        """allauth's emails greet the reader from the paper ("Hello from The Masthead
        Ledger!"), whatever host and port the site is served on."""
        if "current_site" not in context:
            site = get_current_site(allauth_context.request)
            context = {
                **context,
                "current_site": NewsroomSite(settings.MASTHEAD_SITE_NAME, site.domain),
            }
        super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject: str) -> str:
        """``[<paper's name>] subject`` unless ``ACCOUNT_EMAIL_SUBJECT_PREFIX`` is set."""
        prefix = app_settings.EMAIL_SUBJECT_PREFIX
        if prefix is None:
            prefix = f"[{settings.MASTHEAD_SITE_NAME}] "
        return prefix + force_str(subject)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from masthead.accounts.services import get_profile

            get_profile(user)
        return user
