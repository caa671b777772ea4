"""Background tasks (django-tasks; ``manage.py db_worker`` runs them). IDs only as arguments."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from masthead.newsletters.models import Subscriber


@task()
def send_confirmation_email(subscriber_id: int, newsletter_ids: list[int], offers: bool) -> None:
    """Send the double opt-in mail (the only mail an unconfirmed address ever gets)."""
    from masthead.newsletters.emails import confirmation_message

    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return
    confirmation_message(subscriber.pk, subscriber.email, newsletter_ids, offers).send(
        fail_silently=False
    )


@task()
def send_issue(issue_id: int) -> dict:
    """Send what remains of an issue; re-enqueue itself for retries/leases when deferrable.

    Returns counts for the task result (``{"sent": n, "failed": n, ...}``).
    """
    from masthead.newsletters.sending import enqueue_send_task, run_issue

    result = run_issue(issue_id, wait=False)
    if not result.finished and result.retry_at is not None:
        if send_issue.get_backend().supports_defer:
            enqueue_send_task(issue_id, max(result.retry_at, timezone.now()))
    return {
        "sent": result.sent,
        "failed": result.failed,
        "retried": result.retried,
        "skipped": result.skipped,
        "finished": result.finished,
    }
