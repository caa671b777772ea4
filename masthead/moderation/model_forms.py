"""Form of the "Guidelines model" admin page: the site model's per-category thresholds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms

#: The label that is never held or refused (no thresholds).
ACCEPTABLE = "acceptable"


def _score_field(label: str, *, required: bool) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=required,
        min_value=0.0,
        max_value=1.0,
        error_messages={
            "min_value": "Give a score between 0 and 1.",
            "max_value": "Give a score between 0 and 1.",
            "invalid": "Give a number between 0 and 1, such as 0.6.",
            "required": "Give a score between 0 and 1.",
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
    )


class ModelThresholdsForm(forms.Form):
    """For each category the model scores (except acceptable): a hold score and an
    optional refuse score, both in [0, 1], refuse >= hold.

    ``action`` is "preview" (show what would change, save nothing) or "save".
    """

    action = forms.ChoiceField(
        choices=[("preview", "Preview"), ("save", "Save")], widget=forms.HiddenInput
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        categories: Iterable[str],
        initial_thresholds: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(data)
        self.categories = [c for c in categories if c != ACCEPTABLE]
        current = initial_thresholds or {}
        for cat in self.categories:
            values = current.get(cat) or {}
            hold = self.fields[f"{cat}__hold"] = _score_field(f"{cat}: hold at", required=True)
            refuse = self.fields[f"{cat}__reject"] = _score_field(
                f"{cat}: refuse at", required=False
            )
            hold.initial = values.get("hold")
            refuse.initial = values.get("reject")
            refuse.help_text = "Blank: never refused for this category, only held."

    def category_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """``[(category, hold field, refuse field)]`` for the template."""
        return [(c, self[f"{c}__hold"], self[f"{c}__reject"]) for c in self.categories]

    def clean(self) -> dict[str, Any]:
        """A refuse score below the hold score would refuse what it never holds."""
        data = super().clean()
        for cat in self.categories:
            hold, refuse = data.get(f"{cat}__hold"), data.get(f"{cat}__reject")
            if hold is not None and refuse is not None and refuse < hold:
                self.add_error(
                    f"{cat}__reject",
                    f"The refuse score for {cat} must be at least its hold score ({hold}).",
                )
        return data

    def thresholds(self) -> dict[str, dict[str, float | None]]:
        """The cleaned thresholds as ``{category: {"hold": t, "reject": t | None}}``."""
        data = self.cleaned_data
        return {
            cat: {"hold": data[f"{cat}__hold"], "reject": data.get(f"{cat}__reject")}
            for cat in self.categories
        }
