"""Periodic jobs run by the task worker, beside its tasks.

A :class:`PeriodicJob` is a daemon thread calling a function every ``interval``
seconds until stopped. With several workers, a lock in the shared cache lets one of
them run the job per interval. An error is logged and the next run still happens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.core.cache import cache
from django.db import close_old_connections

logger = logging.getLogger(__name__)


class PeriodicJob(threading.Thread):
    """Call ``job`` every ``interval`` seconds (see module doc)."""

    def __init__(self, name: str, job: Callable[[], object], interval: float) -> None:
        super().__init__(name=f"masthead-{name}", daemon=True)
        self.job_name, self.job, self.interval = name, job, interval
        self._stopped = threading.Event()

    def run_once(self) -> bool:
        """Run the job unless another process ran it less than an interval ago."""
        lock = f"masthead:periodic:{self.job_name}"
        if not cache.add(lock, 1, timeout=max(1, int(self.interval) - 1)):
            return False
        self.job()
        return True

    def run(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                self.run_once()
            except Exception:
                logger.exception("%s failed; trying again next interval", self.job_name)
            finally:
                close_old_connections()

    def stop(self) -> None:
        """Ask the thread to end (it finishes a run in progress first)."""
        self._stopped.set()
