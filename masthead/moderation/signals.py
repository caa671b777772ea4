"""Signal handlers: drop the cached word lists when a word changes; log threshold
changes made outside :func:`services.update_thresholds` (e.g. Wagtail's Settings page);
erase a deleted member's texts from the guidelines model's decision store."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from masthead.accounts.signals import erase_personal_data
from masthead.moderation.models import DecisionAction, ModerationSettings, ModerationWord


@receiver(post_save, sender=ModerationWord)
@receiver(post_delete, sender=ModerationWord)
def _words_changed(sender: type, instance: ModerationWord, **kwargs: Any) -> None:
    from masthead.moderation.services import invalidate_word_lists

    invalidate_word_lists()


@receiver(pre_save, sender=ModerationSettings)
def _remember_thresholds(sender: type, instance: ModerationSettings, **kwargs: Any) -> None:
    old = ModerationSettings.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._moderation_before = old.snapshot() if old else None


@receiver(post_save, sender=ModerationSettings)
def _log_thresholds(
    sender: type, instance: ModerationSettings, created: bool, **kwargs: Any
) -> None:
    if getattr(instance, "_moderation_logged", False):
        instance._moderation_logged = False
        return
    before = getattr(instance, "_moderation_before", None)
    if before is None:
        return  # first creation with defaults (for_site) is not a change
    after = instance.snapshot()
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if diff:
        from masthead.moderation.services import log_decision

        log_decision(
            None,
            DecisionAction.THRESHOLD_CHANGED,
            reason="Changed on the Settings page (editor not recorded by Wagtail).",
            details={"changed": diff},
        )


@receiver(erase_personal_data, dispatch_uid="masthead_moderation_erase_decisions")
def _erase_decisions(sender: Any, user: Any, **kwargs: Any) -> None:
    """Deleting an account removes the decisions about the member's texts from the store
    the site's guidelines model learns from (so no later training sees them). Connected
    before the comments app de-identifies the member's comments (app order), so the rows
    found through those comments go too."""
    from masthead.moderation.learning.store import erase_member

    erase_member(user)
