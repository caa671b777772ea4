"""Run the importer's batch writes in order, inline or on one background thread.

Why a thread: importing is two kinds of work that can overlap on a 2-core machine --
parsing and cleaning the export (Python, holds the GIL) and writing batches
(mostly waiting for PostgreSQL, which releases the GIL). Measured on the 100k-post
benchmark (``benchmarks/migration/import_bench.py``) each side is roughly half of
the time, so overlapping them is worth up to 2x on an idle machine.

Guarantees kept (issue 6: "what was written before is either complete batches that a
re-run continues, or nothing"):

* every job (one batch, one transaction) runs to its end on the writer's own
  database connection, in submission order;
* once a job fails, later jobs are **discarded**, never run, and the error is
  raised in the submitting thread at the next :meth:`BackgroundWriter.submit` or
  at :meth:`BackgroundWriter.close` -- so what is in the database is always a
  prefix of the complete batches;
* at most ``depth`` jobs wait in the queue (``submit`` blocks), so memory stays
  bounded at ``depth + 2`` batches.

The writer thread uses its own Django connection, so it must not be used while the
caller holds a transaction open (a dry run, or a test's wrapping transaction): the
writes would escape it. :func:`make_writer` picks :class:`InlineWriter` then.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from django.db import connection, connections

__all__ = ["BackgroundWriter", "InlineWriter", "make_writer"]

Job = Callable[[], None]


class InlineWriter:
    """Runs each job at once in the calling thread (same connection and transaction)."""

    background = False

    def submit(self, job: Job) -> None:
        """Run ``job`` now; its exception propagates."""
        job()

    def close(self) -> None:
        """Nothing is pending."""

    def cancel(self) -> None:
        """Nothing is pending."""


class BackgroundWriter:
    """Runs jobs in order on one daemon thread with its own database connection.

    Args:
        depth: jobs that may wait in the queue before :meth:`submit` blocks (>= 1).

    Use :meth:`close` after the last job (waits, raises the first job error) or
    :meth:`cancel` when giving up (discards waiting jobs, waits for the running one).
    """

    background = True

    def __init__(self, depth: int = 2) -> None:
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=max(1, depth))
        self._error: BaseException | None = None
        self._cancelled = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="comment-import-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                job = self._queue.get()
                if job is None:
                    return
                if self._error is not None or self._cancelled:
                    continue  # keep draining so a blocked submit() wakes up
                try:
                    job()
                except BaseException as exc:  # noqa: BLE001 -- re-raised in the caller
                    self._error = exc
        finally:
            connections.close_all()  # this thread's connections only

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            self._cancelled = True  # nothing after a failed batch may be written
            raise error

    def submit(self, job: Job) -> None:
        """Queue ``job`` (blocks while ``depth`` jobs wait); raises an earlier job's error."""
        if self._closed:
            raise RuntimeError("writer is closed")
        self._raise()
        self._queue.put(job)

    def close(self) -> None:
        """Wait until every queued job ran; raise the first job error, if any."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
        self._raise()

    def cancel(self) -> None:
        """Discard waiting jobs, wait for the running one; swallow job errors."""
        self._cancelled = True
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
        self._error = None


def make_writer(background: bool) -> InlineWriter | BackgroundWriter:
    """A :class:`BackgroundWriter` when asked for and safe, else an :class:`InlineWriter`.

    Safe means PostgreSQL (SQLite allows one writer at a time, so nothing would
    overlap) and no transaction open on this thread's connection (see module doc).
    """
    if background and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return BackgroundWriter()
    return InlineWriter()
