"""Forms for the anonymous sign-up (double opt-in)."""

from __future__ import annotations

from django import forms

from masthead.newsletters.models import Newsletter


class SignupForm(forms.Form):
    """Email + chosen newsletters + the separate, never pre-ticked offers consent."""

    email = forms.EmailField(label="Your email address", max_length=254)
    newsletters = forms.ModelMultipleChoiceField(
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
