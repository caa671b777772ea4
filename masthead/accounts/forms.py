from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.http import HttpRequest

from masthead.accounts.services import clean_display_name


class DisplayNameForm(forms.Form):
    """The display name shown on comments."""

    display_name = forms.CharField(max_length=200, required=False, label="Display name")

    def clean_display_name(self) -> str:
        try:
            return clean_display_name(self.cleaned_data["display_name"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class DeleteAccountForm(forms.Form):
    """Deleting needs a typed confirmation on top of re-authentication."""

    confirm = forms.CharField(label='Type "delete" to confirm')

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip().lower()
        if value != "delete":
            raise forms.ValidationError('Type the word "delete" to confirm.')
        return value


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, except that an address other accounts hold only
    unverified is free to sign up with (:mod:`masthead.accounts.ownership`): the old
    claims are released when this sign-up is saved, and its confirmation email is sent
    even if one went to the address a moment ago."""

    def validate_unique_email(self, value: str) -> str:
        from masthead.accounts.ownership import unproven_holders

        self.unproven_claims = bool(unproven_holders(value))
        if self.unproven_claims:
            self.account_already_exists = False
            return get_adapter().validate_unique_email(value)
        return super().validate_unique_email(value)

    def save(self, request: HttpRequest) -> Any:
        from allauth.core import ratelimit

        from masthead.accounts.ownership import release_unproven_claims

        email = self.cleaned_data.get("email") or ""
        if getattr(self, "unproven_claims", False):
            release_unproven_claims(email)
            # The squatter's confirmation email must not hold back the owner's.
            ratelimit.clear(request, action="confirm_email", key=email.lower())
        return super().save(request)
