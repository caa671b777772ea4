"""allauth's account forms with labels in the site's voice (``ACCOUNT_FORMS``).

Field names, validation and behaviour are allauth's; only what the reader reads
changes: sentence-case labels ("New password again", not "New Password (again)")
and placeholders that say the same as the label.
"""

from __future__ import annotations

from typing import Any, ClassVar

from allauth.account import forms as allauth_forms
from django import forms


class SiteVoiceLabels:
    """Relabel the fields named in ``labels`` after allauth has built the form."""

    labels: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for name, label in self.labels.items():
            field = fields.get(name)
            if field is None:
                continue
            field.label = label
            if "placeholder" in field.widget.attrs:
                field.widget.attrs["placeholder"] = label


NEW_PASSWORD = {"password1": "New password", "password2": "New password again"}


class LoginForm(SiteVoiceLabels, allauth_forms.LoginForm):
    labels: ClassVar[dict[str, str]] = {
        "login": "Email address",
        "password": "Password",
        "remember": "Keep me signed in on this device",
    }


class ChangePasswordForm(SiteVoiceLabels, allauth_forms.ChangePasswordForm):
    labels: ClassVar[dict[str, str]] = {"oldpassword": "Password you use now", **NEW_PASSWORD}


class SetPasswordForm(SiteVoiceLabels, allauth_forms.SetPasswordForm):
    labels: ClassVar[dict[str, str]] = {"password1": "Password", "password2": "Password again"}


class ResetPasswordKeyForm(SiteVoiceLabels, allauth_forms.ResetPasswordKeyForm):
    labels: ClassVar[dict[str, str]] = NEW_PASSWORD


class AddEmailForm(SiteVoiceLabels, allauth_forms.AddEmailForm):
    labels: ClassVar[dict[str, str]] = {"email": "Email address"}


class ResetPasswordForm(SiteVoiceLabels, allauth_forms.ResetPasswordForm):
    labels: ClassVar[dict[str, str]] = {"email": "Email address"}


class RequestLoginCodeForm(SiteVoiceLabels, allauth_forms.RequestLoginCodeForm):
    labels: ClassVar[dict[str, str]] = {"email": "Email address"}


class ReauthenticateForm(SiteVoiceLabels, allauth_forms.ReauthenticateForm):
    labels: ClassVar[dict[str, str]] = {"password": "Your password"}


CODE = {"code": "Code from the email"}


class ConfirmLoginCodeForm(SiteVoiceLabels, allauth_forms.ConfirmLoginCodeForm):
    labels: ClassVar[dict[str, str]] = CODE


class ConfirmReauthenticationCodeForm(
    SiteVoiceLabels, allauth_forms.ConfirmReauthenticationCodeForm
):
    labels: ClassVar[dict[str, str]] = CODE
