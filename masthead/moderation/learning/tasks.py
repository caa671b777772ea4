"""The background retrain: queued once ``MASTHEAD_GUIDELINES_RETRAIN_EVERY`` new decisions
(default 200) have arrived since the last training; one training at a time."""

from __future__ import annotations

import logging

from django.conf import settings
from django_tasks import task

from masthead.moderation.learning.models import LabelledDecision, TrainingRun, TrainingStatus

logger = logging.getLogger(__name__)


def retrain_every() -> int:
    """New decisions that trigger a training (0 or less: never automatically)."""
    return int(getattr(settings, "MASTHEAD_GUIDELINES_RETRAIN_EVERY", 200))


def new_decisions() -> int:
    """Decisions recorded since the last finished training started."""
    last = (
        TrainingRun.objects.filter(lock__isnull=True)
        .exclude(status=TrainingStatus.FAILED)
        .order_by("-last_decision_id")
        .values_list("last_decision_id", flat=True)
        .first()
        or 0
    )
    return LabelledDecision.objects.filter(id__gt=last).count()


def maybe_schedule_training() -> TrainingRun | None:
    """Queue the retrain task when enough new decisions arrived and none is queued or
    running. Returns the queued run, or None."""
    from masthead.moderation.learning.training import TrainingBusy, acquire

    every = retrain_every()
    if every <= 0 or TrainingRun.objects.filter(lock__isnull=False).exists():
        return None
    if new_decisions() < every:
        return None
    try:
        run = acquire(trigger="task", status=TrainingStatus.QUEUED)
    except TrainingBusy:
        return None
    train_guidelines_task.enqueue(run.pk)
    return run


@task()
def train_guidelines_task(run_id: int) -> dict:
    """Run the queued training ``run_id``; returns ``{"status", "message"}``."""
    from masthead.moderation.learning.training import train

    run = TrainingRun.objects.filter(pk=run_id, status=TrainingStatus.QUEUED).first()
    if run is None:
        return {"status": "gone", "message": "The queued training no longer exists."}
    result = train(run=run, trigger="task")
    logger.info("guidelines retrain: %s", result.message)
    return {"status": result.status, "message": result.message}
