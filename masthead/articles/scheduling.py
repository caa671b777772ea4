"""Scheduled publishing and expiry: Wagtail's ``publish_scheduled``, run by the worker.

Wagtail publishes a page whose approved go-live time has come, and unpublishes one
whose expiry time has passed, only when its ``publish_scheduled`` management command
runs (Wagtail documentation, "Scheduled publishing"); it does not run it itself. The
task worker (``manage.py db_worker``, which ``make run`` and a production set-up both
start) runs :class:`ScheduledPublisher`, a thread that calls it every
``MASTHEAD_SCHEDULE_SECONDS`` (default 30; 0 turns it off), so a scheduled story goes
live within that time of its go-live time. With several workers, a lock in the shared
cache lets one of them run it per interval.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import close_old_connections

logger = logging.getLogger(__name__)

LOCK_KEY = "masthead:publish-scheduled"


def interval_seconds() -> float:
    """``MASTHEAD_SCHEDULE_SECONDS`` (seconds between runs; 0 or less: never run)."""
    return float(getattr(settings, "MASTHEAD_SCHEDULE_SECONDS", 30))


def publish_due_pages() -> bool:
    """Run ``publish_scheduled`` once (publishes due pages, unpublishes expired ones),
    unless another process ran it less than an interval ago (a ``cache.add`` lock held
    for just under one interval). Returns whether it ran here."""
    interval = interval_seconds()
    if interval > 0 and not cache.add(LOCK_KEY, 1, timeout=max(1, int(interval) - 1)):
        return False
    call_command("publish_scheduled", verbosity=0)
    return True


class ScheduledPublisher(threading.Thread):
    """A daemon thread calling :func:`publish_due_pages` every :func:`interval_seconds`
    until :meth:`stop`; an error is logged and the next run still happens."""

    def __init__(self, interval: float | None = None) -> None:
        super().__init__(name="masthead-scheduled-publishing", daemon=True)
        self.interval = interval_seconds() if interval is None else interval
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                publish_due_pages()
            except Exception:
                logger.exception("scheduled publishing failed; trying again next interval")
            finally:
                close_old_connections()

    def stop(self) -> None:
        """Ask the thread to end (it finishes a run in progress first)."""
        self._stopped.set()
