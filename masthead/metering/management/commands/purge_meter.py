"""``manage.py purge_meter``: delete anonymous meter rows of past months now.

The task worker does this every ``MASTHEAD_METER_RETENTION_SECONDS``; this command is
for a set-up that runs it from cron instead (see :mod:`masthead.metering.retention`).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from masthead.metering.retention import oldest_kept_period, purge_anonymous_meter_rows


class Command(BaseCommand):
    help = "Delete anonymous meter rows older than MASTHEAD_METER_ANONYMOUS_KEEP_MONTHS."

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = oldest_kept_period()
        deleted = purge_anonymous_meter_rows()
        self.stdout.write(
            f"Deleted {deleted['views']:,} anonymous meter views and {deleted['periods']:,} "
            f"periods from before {cutoff:%B %Y}."
        )
