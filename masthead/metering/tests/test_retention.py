"""Anonymous meter rows of past months are purged; members' rows and this month's stay."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from masthead.core.periodic import PeriodicJob
from masthead.metering.models import MeterPeriod, MeterView
from masthead.metering.retention import oldest_kept_period, purge_anonymous_meter_rows

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("UTC"))


def _rows(key: str, period: date, stories: int = 2) -> None:
    MeterPeriod.objects.create(reader_key=key, period=period)
    for story in range(stories):
        MeterView.objects.create(reader_key=key, period=period, story_id=story)


def test_oldest_kept_period_counts_calendar_months(settings) -> None:
    settings.MASTHEAD_METER_ANONYMOUS_KEEP_MONTHS = 2
    assert oldest_kept_period(NOW) == date(2026, 2, 1)
    assert oldest_kept_period(datetime(2026, 1, 5, tzinfo=ZoneInfo("UTC"))) == date(2025, 12, 1)
    assert oldest_kept_period(NOW, months=14) == date(2025, 2, 1)


def test_purge_deletes_only_old_anonymous_rows(settings) -> None:
    settings.MASTHEAD_METER_ANONYMOUS_KEEP_MONTHS = 2
    _rows("a:" + "1" * 32, date(2026, 1, 1))  # too old: purged
    _rows("a:" + "2" * 32, date(2025, 6, 1), stories=3)  # too old: purged
    _rows("a:" + "3" * 32, date(2026, 2, 1))  # last month: kept
    _rows("a:" + "4" * 32, date(2026, 3, 1))  # this month: kept
    _rows("u:7", date(2025, 6, 1))  # a member's: kept
    assert purge_anonymous_meter_rows(NOW) == {"views": 5, "periods": 2}
    assert set(MeterPeriod.objects.values_list("reader_key", "period")) == {
        ("a:" + "3" * 32, date(2026, 2, 1)),
        ("a:" + "4" * 32, date(2026, 3, 1)),
        ("u:7", date(2025, 6, 1)),
    }
    assert MeterView.objects.count() == 6
    assert purge_anonymous_meter_rows(NOW) == {"views": 0, "periods": 0}


def test_the_worker_job_and_the_command_purge(settings) -> None:
    settings.MASTHEAD_METER_ANONYMOUS_KEEP_MONTHS = 1
    _rows("a:" + "5" * 32, date(2000, 1, 1))
    job = PeriodicJob("meter-retention-test", purge_anonymous_meter_rows, 3600)
    assert job.run_once() is True
    assert not MeterView.objects.exists()
    assert job.run_once() is False  # one run per interval across workers
    _rows("a:" + "6" * 32, date(2000, 1, 1))
    out = StringIO()
    call_command("purge_meter", stdout=out)
    assert "Deleted 2 anonymous meter views and 1 periods" in out.getvalue()


def test_the_worker_starts_the_retention_job(settings, monkeypatch) -> None:
    from masthead.newsletters.management.commands import db_worker

    started: list[str] = []
    monkeypatch.setattr(db_worker.PeriodicJob, "start", lambda self: started.append(self.job_name))
    monkeypatch.setattr(db_worker.DBWorkerCommand, "handle", lambda self, *a, **k: None)
    settings.MASTHEAD_METER_RETENTION_SECONDS = 60
    db_worker.Command().handle()
    assert started == ["meter-retention"]
    settings.MASTHEAD_METER_RETENTION_SECONDS = 0
    started.clear()
    db_worker.Command().handle()
    assert started == []
