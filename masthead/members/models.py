"""What a member import brings that has no other home: name, note, labels, comp flag.

Newsletter subscriptions and the offers consent of imported members live in
:mod:`masthead.newsletters` (with the consent log); a member's site account, if they
make one, is their own. :class:`MemberRecord` keeps the old platform's member fields
per normalised email so an export gives them back.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class MemberRecord(models.Model):
    """One member from an import (Ghost/Substack layout), keyed by normalised email."""

    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)
    labels = models.CharField(max_length=500, blank=True, help_text="Comma-separated.")
    complimentary_plan = models.BooleanField(
        default=False,
        help_text="Comped on the old platform; staff grant access with a Subscription.",
    )
    created_at = models.DateTimeField(help_text="When they joined (from the file).")
    source = models.CharField(max_length=60, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email
