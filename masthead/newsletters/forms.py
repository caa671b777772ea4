"""Forms for the anonymous sign-up (double opt-in)."""

from __future__ import annotations

from django import forms

from masthead.core.ids import parse_id
from masthead.newsletters.models import Newsletter


class IdChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows by id that refuses out-of-range ids as invalid choices.

    Django's field passes each value to the database; an id beyond 64 bits makes the
    SQLite driver raise ``OverflowError`` (a 500) instead of a form error.
    """

    def _check_values(self, value):  # noqa: ANN001, ANN202 - Django's private hook
        for item in value or ():
            if parse_id(item) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)


class SignupForm(forms.Form):
    """Email + chosen newsletters + the separate, never pre-ticked offers consent."""

    email = forms.EmailField(label="Your email address", max_length=254)
    newsletters = IdChoiceField(
        queryset=Newsletter.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Newsletters",
    )
    offers = forms.BooleanField(
        required=False,
        initial=False,
        label="Also email me offers and early access to discounts on our products",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].queryset = Newsletter.objects.filter(active=True).exclude(
            kind=Newsletter.Kind.OFFERS
        )

    def clean(self) -> dict:
        """Require at least one newsletter or the offers consent."""
        data = super().clean()
        if not data.get("newsletters") and not data.get("offers"):
            raise forms.ValidationError(
                "Choose at least one newsletter (or offers) to sign up for."
            )
        return data
