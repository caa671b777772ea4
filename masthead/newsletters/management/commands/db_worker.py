"""``manage.py db_worker`` that first resumes unfinished newsletter issues, and runs
Wagtail's scheduled publishing beside the tasks (:mod:`masthead.articles.scheduling`).

Overrides django-tasks-db's command (``masthead.newsletters`` comes before
``django_tasks_db`` in INSTALLED_APPS, and Django lets the earlier app's command
win). A worker killed mid-send leaves its task marked running forever; on start this
enqueues a fresh ``send_issue`` task for every issue still *sending* (or scheduled
and due), so restarting the worker finishes the issue. Duplicate tasks are harmless:
rows are claimed conditionally and each is sent once.
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from masthead.articles.scheduling import ScheduledPublisher, interval_seconds
from masthead.newsletters.sending import enqueue_send_task, unfinished_issue_ids


class Command(DBWorkerCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            for issue_id in unfinished_issue_ids():
                enqueue_send_task(issue_id)
        except Exception:  # noqa: BLE001 - e.g. tables not migrated yet: the worker must still start
            self.stderr.write("Could not resume newsletter issues (database not migrated?)")
        publisher = None
        if interval_seconds() > 0:
            publisher = ScheduledPublisher()  # Wagtail's scheduled publishing and expiry
            publisher.start()
        try:
            super().handle(*args, **options)
        finally:
            if publisher is not None:
                publisher.stop()
