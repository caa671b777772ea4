"""The one-statement meter count on PostgreSQL (``masthead_meter_count``) decides exactly
as the ORM path does, and both paths serialise against each other (issue 3, issue 7)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.utils import timezone

from masthead.metering.models import MeterPeriod, MeterView
from masthead.metering.services import (
    MEMBER,
    Reader,
    Reason,
    _count_in_database,
    _count_in_python,
    decide_for,
    period_start,
)
from masthead.metering.tests.helpers import simultaneously

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the meter function exists on PostgreSQL only (make test-postgres)")


def _outcome(e) -> tuple:
    return (e.full, e.reason, e.counted, e.meter.views if e.meter else None)


def test_both_paths_give_the_same_decisions_for_the_same_sequence():
    start = period_start()
    now = timezone.now()
    sequence = [5, 6, 5, 7, 8, 9, 6, 10, 9]  # re-reads, counts, then a used-up meter
    results = {}
    for name, count in (("sql", _count_in_database), ("orm", _count_in_python)):
        reader = Reader(MEMBER, f"u:seq-{name}", 4)
        results[name] = [_outcome(count(reader, sid, start, now)) for sid in sequence]
        stored = sorted(
            MeterView.objects.filter(reader_key=reader.key, period=start).values_list(
                "story_id", flat=True
            )
        )
        assert stored == [5, 6, 7, 8]
        assert MeterPeriod.objects.filter(reader_key=reader.key, period=start).count() == 1
    assert results["sql"] == results["orm"]
    reasons = [r[1] for r in results["sql"]]
    assert reasons == [
        Reason.COUNTED,
        Reason.COUNTED,
        Reason.ALREADY_COUNTED,
        Reason.COUNTED,
        Reason.COUNTED,
        Reason.METER_EXHAUSTED,
        Reason.ALREADY_COUNTED,
        Reason.METER_EXHAUSTED,
        Reason.METER_EXHAUSTED,
    ]


def test_zero_limit_counts_nothing():
    reader = Reader(MEMBER, "u:zero", 0)
    got = _count_in_database(reader, 1, period_start(), timezone.now())
    assert (got.full, got.reason) == (False, Reason.METER_EXHAUSTED)
    assert not MeterView.objects.filter(reader_key="u:zero").exists()


def test_decide_for_uses_the_function_and_fills_the_mirror(settings):
    from masthead.metering.services import read_mirror

    settings.MASTHEAD_METER_SQL_FUNCTION = True
    reader = Reader(MEMBER, "u:mirror-fn", 10)
    start = period_start()
    recorder = _Recorder()
    with connection.execute_wrapper(recorder):
        got = decide_for(reader, 42, "metered", mirror=None)
    assert got.counted and got.meter.views == 1
    assert len(recorder.sql) == 1 and "masthead_meter_count" in recorder.sql[0]
    assert read_mirror(reader.key, start) == frozenset({42})


def test_the_month_is_the_one_given():
    reader = Reader(MEMBER, "u:month", 10)
    march, april = datetime(2026, 3, 1).date(), datetime(2026, 4, 1).date()
    now = timezone.now()
    _count_in_database(reader, 1, march, now)
    assert _count_in_database(reader, 1, april, now).reason == Reason.COUNTED
    assert MeterView.objects.filter(reader_key="u:month").count() == 2


class _Recorder:
    def __init__(self) -> None:
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)


@pytest.mark.parametrize("existing", [0, 9], ids=["first-view-of-the-month", "nine-of-ten"])
def test_both_paths_racing_each_other_give_exactly_the_allowance(existing):
    """20 simultaneous opens, half through the function and half through the ORM path:
    the member at ``existing`` of 10 gets exactly ``10 - existing`` of them."""
    for round_ in range(3):
        _race(f"u:race-{existing}-{round_}", existing)


def _race(key: str, existing: int) -> None:
    start = period_start()
    if existing:
        MeterPeriod.objects.create(reader_key=key, period=start)
        MeterView.objects.bulk_create(
            [MeterView(reader_key=key, period=start, story_id=i) for i in range(existing)]
        )
    reader = Reader(MEMBER, key, 10)
    results = simultaneously(
        [
            lambda sid=100 + i, count=(_count_in_database if i % 2 else _count_in_python): (
                count(reader, sid, start, timezone.now()).full
            )
            for i in range(20)
        ]
    )
    assert results.count(True) == 10 - existing
    assert MeterView.objects.filter(reader_key=key, period=start).count() == 10
    assert MeterPeriod.objects.filter(reader_key=key, period=start).count() == 1


@pytest.mark.parametrize("async_commit", [True, False], ids=["async-commit", "durable"])
def test_async_commit_applies_to_the_counting_transaction_only(settings, async_commit):
    """``MASTHEAD_METER_ASYNC_COMMIT`` turns ``synchronous_commit`` off inside the
    transaction that counts (seen from within it) and nowhere else: after an autocommit
    count the connection's own setting is unchanged."""
    from django.db import transaction

    settings.MASTHEAD_METER_ASYNC_COMMIT = async_commit
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        before = cursor.fetchone()[0]
    with transaction.atomic():
        got = _count_in_database(Reader(MEMBER, "u:async", 10), 7, period_start(), timezone.now())
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            inside = cursor.fetchone()[0]
    assert got.counted
    assert inside == ("off" if async_commit else before)
    _count_in_database(Reader(MEMBER, "u:async", 10), 8, period_start(), timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == before
    assert MeterView.objects.filter(reader_key="u:async").count() == 2
