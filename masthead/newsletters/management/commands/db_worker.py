"""``manage.py db_worker`` that first resumes unfinished newsletter issues, and runs
Wagtail's scheduled publishing beside the tasks (:mod:`masthead.articles.scheduling`).

It also purges anonymous meter rows of past months (:mod:`masthead.metering.retention`)
and logs at the site's level (WARNING unless ``LOG_LEVEL`` says otherwise).

Overrides django-tasks-db's command (``masthead.newsletters`` comes before
``django_tasks_db`` in INSTALLED_APPS, and Django lets the earlier app's command
win). A worker killed mid-send leaves its task marked running forever; on start this
enqueues a fresh ``send_issue`` task for every issue still *sending* (or scheduled
and due), so restarting the worker finishes the issue. Duplicate tasks are harmless:
rows are claimed conditionally and each is sent once.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from django.conf import settings
from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from masthead.articles.scheduling import ScheduledPublisher, interval_seconds
from masthead.core.periodic import PeriodicJob
from masthead.metering.retention import purge_anonymous_meter_rows
from masthead.newsletters.sending import enqueue_send_task, unfinished_issue_ids


class Command(DBWorkerCommand):
    def configure_logging(self, verbosity: int) -> None:
        """The worker's own lines ("Task ... RUNNING/SUCCESSFUL") at the site's log level
        (``LOG_LEVEL``, default WARNING) unless ``-v 2`` or more asks for them."""
        super().configure_logging(verbosity)
        if verbosity == 1:
            level = logging.getLogger().level  # the root level settings.LOGGING gave
            for name in ("django_tasks_db", TASKS_LOGGER):
                logging.getLogger(name).setLevel(level)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            for issue_id in unfinished_issue_ids():
                enqueue_send_task(issue_id)
        except Exception:  # noqa: BLE001 - e.g. tables not migrated yet: the worker must still start
            self.stderr.write("Could not resume newsletter issues (database not migrated?)")
        threads: list[ScheduledPublisher | PeriodicJob] = []
        if interval_seconds() > 0:
            threads.append(ScheduledPublisher())  # Wagtail's scheduled publishing and expiry
        retention = float(getattr(settings, "MASTHEAD_METER_RETENTION_SECONDS", 3600))
        if retention > 0:  # anonymous meter rows of past months
            threads.append(PeriodicJob("meter-retention", purge_anonymous_meter_rows, retention))
        for thread in threads:
            thread.start()
        try:
            super().handle(*args, **options)
        finally:
            for thread in threads:
                thread.stop()
            gc.freeze()  # a quick stop: no full collection of every object at exit
