from __future__ import annotations

from django import forms

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
