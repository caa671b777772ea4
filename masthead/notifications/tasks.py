"""Background task for reply email (django-tasks; ``manage.py db_worker`` runs it). IDs only."""

from __future__ import annotations

from django_tasks import task


def enqueue_reply_mail(user_id: int, run_after: object = None) -> None:
    """Queue :func:`send_reply_mail` for a member, now or after ``run_after`` (when the
    backend can defer)."""
    if run_after is not None and send_reply_mail.get_backend().supports_defer:
        send_reply_mail.using(run_after=run_after).enqueue(user_id)
    elif run_after is None:
        send_reply_mail.enqueue(user_id)


@task()
def send_reply_mail(user_id: int) -> dict:
    """Send the member's waiting replies (at most one mail per window); when replies wait
    for the window, queue itself again for its end."""
    from masthead.notifications.mail import send_reply_digest

    result = send_reply_digest(user_id)
    if result.retry_at is not None:
        enqueue_reply_mail(user_id, result.retry_at)
    return {
        "sent": result.sent,
        "retry_at": result.retry_at.isoformat() if result.retry_at else None,
    }
