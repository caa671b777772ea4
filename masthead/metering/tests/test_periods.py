"""Calendar months in the site's time zone (Asia/Kolkata by default)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from masthead.metering.services import MEMBER, Reader, Reason, decide_for, period_end, period_start

IST = ZoneInfo("Asia/Kolkata")
UTC = ZoneInfo("UTC")


def test_period_boundaries_are_local_midnight_on_the_first():
    # 2025-03-31 18:29 UTC is 23:59 IST on 31 March; 18:30 UTC is 00:00 IST on 1 April.
    assert period_start(datetime(2025, 3, 31, 18, 29, tzinfo=UTC)).isoformat() == "2025-03-01"
    assert period_start(datetime(2025, 3, 31, 18, 30, tzinfo=UTC)).isoformat() == "2025-04-01"
    assert period_end(period_start(datetime(2025, 12, 15, tzinfo=IST))) == datetime(
        2026, 1, 1, tzinfo=IST
    )


@pytest.mark.django_db
def test_meter_resets_at_local_month_start():
    reader = Reader(MEMBER, "u:77", 1)
    before = datetime(2025, 3, 31, 23, 59, tzinfo=IST)
    after = datetime(2025, 4, 1, 0, 0, tzinfo=IST)
    assert decide_for(reader, 1, "metered", now=before).reason == Reason.COUNTED
    assert decide_for(reader, 2, "metered", now=before).reason == Reason.METER_EXHAUSTED
    assert decide_for(reader, 2, "metered", now=after).reason == Reason.COUNTED
    assert decide_for(reader, 1, "metered", now=after).reason == Reason.METER_EXHAUSTED
