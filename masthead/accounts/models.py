"""A reader's profile: the display name printed on their comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Profile(models.Model):
    """One per user, created at sign-up (or on first use of the account page)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="Shown on your comments. Leave empty to appear as “Reader”.",
    )
    # The display name as compared with others' (masthead.accounts.services.name_key):
    # a member may not take a name that only differs in lookalike letters or punctuation.
    name_key = models.CharField(max_length=120, blank=True, db_index=True, editable=False)

    def __str__(self) -> str:
        return self.display_name or f"Reader {self.user_id}"
