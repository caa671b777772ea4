"""Forms for the moderation queue (Wagtail admin)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from masthead.comments.models import Comment
from masthead.core.ids import MAX_DB_ID, parse_id
from masthead.moderation.guidelines.base import ReasonCode
from masthead.moderation.models import (
    DecisionAction,
    GuidelineLabel,
    ModerationSettings,
    WordKind,
)
from masthead.moderation.services import MAX_WORD_LENGTH

REASON_MAX = 1000


class QueueFilterForm(forms.Form):
    """GET filters for a queue tab: text search, reason code, author, story."""

    q = forms.CharField(required=False, max_length=200, label="Text contains")
    reason = forms.ChoiceField(
        required=False, choices=[("", "Any reason"), *[(c.value, c.value) for c in ReasonCode]]
    )
    author = forms.CharField(required=False, max_length=150, label="Author name")
    story = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_DB_ID, widget=forms.HiddenInput
    )


class CommentIdsField(forms.ModelMultipleChoiceField):
    """Ticked comment ids; a value that cannot be a database id (e.g. past 64 bits) is an
    invalid choice, not an ``OverflowError`` from the database driver."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if parse_id(pk) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class BulkActionForm(forms.Form):
    """POST: approve or reject the ticked comments."""

    action = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    ids = CommentIdsField(
        queryset=Comment.objects.all(),
        error_messages={"required": "Tick at least one comment first."},
    )
    reason = forms.CharField(required=False, max_length=REASON_MAX)
    category = forms.ChoiceField(
        required=False,
        label="Rejected as",
        choices=[
            ("", "As the check found"),
            *[(c.value, c.label) for c in GuidelineLabel if c != GuidelineLabel.ACCEPTABLE],
        ],
        help_text="What the site's own guidelines model learns from a rejection.",
    )


class MemberActionForm(forms.Form):
    """POST: warn, suspend (until a date), ban, pre-moderate or lift restrictions."""

    ACTIONS = [
        (DecisionAction.WARN.value, "Warn"),
        (DecisionAction.SUSPEND.value, "Suspend until…"),
        (DecisionAction.BAN.value, "Ban"),
        (DecisionAction.PREMOD.value, "Pre-moderate"),
        (DecisionAction.UNBAN.value, "Lift restrictions"),
    ]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.RadioSelect)  # one radio per action
    until = forms.DateTimeField(
        required=False,
        label="Suspended until (site time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    reason = forms.CharField(required=False, max_length=REASON_MAX, widget=forms.TextInput)

    def clean(self) -> dict[str, Any]:
        """A suspension needs an end date in the future."""
        data = super().clean()
        if data.get("action") == DecisionAction.SUSPEND:
            until = data.get("until")
            if until is None:
                self.add_error("until", "Give the date the suspension ends.")
            elif until <= timezone.now():
                self.add_error("until", "A suspension must end in the future.")
        return data


class WordForm(forms.Form):
    """POST: add a word or phrase to the banned or suspect list."""

    word = forms.CharField(max_length=MAX_WORD_LENGTH)
    kind = forms.ChoiceField(choices=WordKind.choices)
    reason = forms.CharField(required=False, max_length=REASON_MAX)

    def clean_word(self) -> str:
        """At least two characters with a letter or digit among them: a one-letter entry
        ("a") would refuse nearly every comment, and punctuation alone never matches."""
        word = self.cleaned_data["word"].strip()
        if len(word) < 2:
            raise forms.ValidationError("A listed word needs at least two characters.")
        if not any(ch.isalnum() for ch in word):
            raise forms.ValidationError("A listed word needs at least one letter or digit.")
        return word


class ThresholdsForm(forms.ModelForm):
    """The thresholds of :class:`ModerationSettings` plus a reason for the log."""

    reason = forms.CharField(
        required=False, max_length=REASON_MAX, label="Why (for the decision log)"
    )

    class Meta:
        model = ModerationSettings
        fields = list(ModerationSettings.THRESHOLD_FIELDS)
