"""Retention of anonymous meter rows: purge the months the meter no longer reads.

An anonymous reader's meter is a signed cookie id; every visitor without the cookie
(crawlers above all) makes new :class:`~masthead.metering.models.MeterView` and
:class:`~masthead.metering.models.MeterPeriod` rows. The meter only ever reads the
current calendar month, so anonymous rows of months before the last
``MASTHEAD_METER_ANONYMOUS_KEEP_MONTHS`` (default 2: this month and the one before,
so a reader's month is still there to look at just after it turns) are deleted.
Members' rows are kept: they belong to an account, and the account's data export
and deletion handle them.

The task worker runs :func:`purge_anonymous_meter_rows` every
``MASTHEAD_METER_RETENTION_SECONDS`` (default one hour; 0 turns it off; then run
``manage.py purge_meter`` from cron).
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import transaction

from masthead.metering.models import MeterPeriod, MeterView
from masthead.metering.services import period_start

ANONYMOUS_PREFIX = "a:"
#: rows deleted per statement, so a large purge never holds long locks
PURGE_CHUNK = 5000


def keep_months() -> int:
    """``MASTHEAD_METER_ANONYMOUS_KEEP_MONTHS``: months of anonymous rows kept (>= 1)."""
    return max(1, int(getattr(settings, "MASTHEAD_METER_ANONYMOUS_KEEP_MONTHS", 2)))


def oldest_kept_period(now: datetime | None = None, months: int | None = None) -> date:
    """First day of the oldest month whose anonymous rows are kept."""
    months = keep_months() if months is None else max(1, months)
    start = period_start(now)
    index = start.year * 12 + (start.month - 1) - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def _purge(model: type[MeterView] | type[MeterPeriod], cutoff: date) -> int:
    deleted = 0
    stale = model.objects.filter(reader_key__startswith=ANONYMOUS_PREFIX, period__lt=cutoff)
    while True:
        ids = list(stale.values_list("pk", flat=True)[:PURGE_CHUNK])
        if not ids:
            return deleted
        with transaction.atomic():
            deleted += model.objects.filter(pk__in=ids).delete()[0]


def purge_anonymous_meter_rows(now: datetime | None = None) -> dict[str, int]:
    """Delete anonymous meter rows of months before :func:`oldest_kept_period`.

    Returns how many view and period rows were deleted.
    """
    cutoff = oldest_kept_period(now)
    return {"views": _purge(MeterView, cutoff), "periods": _purge(MeterPeriod, cutoff)}
