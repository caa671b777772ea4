"""allauth adapter: create the reader's profile at sign-up."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class MastheadAccountAdapter(DefaultAccountAdapter):
    """``ACCOUNT_ADAPTER``: every new account gets a :class:`~masthead.accounts.models.Profile`."""

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from masthead.accounts.services import get_profile

            get_profile(user)
        return user
