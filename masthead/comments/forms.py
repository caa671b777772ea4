"""Forms for comment posting and reporting (validation of shape only; rules live in actions)."""

from __future__ import annotations

from django import forms

from masthead.comments.models import ReportReason


class _RawTextField(forms.CharField):
    """A CharField without Django's NUL-character validator: the comment rules report
    control characters (NUL included) to the writer and keep the rest of the text."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.validators = [
            v for v in self.validators if type(v).__name__ != "ProhibitNullCharactersValidator"
        ]


class CommentForm(forms.Form):
    """A comment or reply: the text and the per-form nonce (double-submit guard).

    ``body`` is not length-limited here: :func:`masthead.comments.actions.post_comment`
    gives the writer the precise message (and keeps the text).
    """

    body = _RawTextField(required=False, strip=False, widget=forms.Textarea)
    nonce = forms.CharField(required=False, max_length=200)


class ReportForm(forms.Form):
    """Report a comment: a reason from the house rules and an optional note."""

    reason = forms.ChoiceField(choices=ReportReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything else (optional)",
    )
