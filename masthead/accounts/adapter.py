"""allauth adapter: create the reader's profile at sign-up."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


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

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from masthead.accounts.services import get_profile

            get_profile(user)
        return user
