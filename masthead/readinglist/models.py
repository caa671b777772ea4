"""A member's saved stories."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SavedStory(models.Model):
    """A story a member saved to read later (once per member and story)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_stories"
    )
    story = models.ForeignKey("articles.StoryPage", on_delete=models.CASCADE, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-saved_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "story"], name="saved_story_once")]

    def __str__(self) -> str:
        return f"{self.user} saved {self.story_id}"
