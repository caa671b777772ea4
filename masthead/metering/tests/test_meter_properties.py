"""Property-based test of the meter (hypothesis).

For any sequence of story views by any mix of readers (anonymous, member,
subscriber) across month boundaries, each decision equals a simple model: a
metered story is full iff the reader already read it this month or has read fewer
than their limit. This says both "never more than allowed" and "never refused one
they are owed"; the final counts are checked against the limits too.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.metering.models import MeterPeriod, MeterView
from masthead.metering.services import (
    ANONYMOUS,
    MEMBER,
    SUBSCRIBER,
    Reader,
    decide_for,
    period_start,
)

IST = ZoneInfo("Asia/Kolkata")
READERS = [
    Reader(ANONYMOUS, "a:" + "1" * 32, 3),
    Reader(ANONYMOUS, "a:" + "2" * 32, 3),
    Reader(MEMBER, "u:1", 10),
    Reader(MEMBER, "u:2", 2),
    Reader(SUBSCRIBER, None, 0),
    Reader(ANONYMOUS, "a:" + "3" * 32, 0),
]
LEVELS = ["free", "metered", "subscribers", "unknown-level", None]
# Times clustered around month boundaries (local midnight on the 1st).
BOUNDARY = datetime(2025, 1, 31, 23, 0, tzinfo=IST)

view = st.tuples(
    st.integers(0, len(READERS) - 1),
    st.integers(1, 14),  # story id
    st.integers(0, 24 * 62),  # x 47 minutes after BOUNDARY: up to ~48 days, two month ends
)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    views=st.lists(view, max_size=40),
    levels=st.lists(st.sampled_from(LEVELS), min_size=15, max_size=15),
)
def test_meter_matches_model(views, levels):
    MeterView.objects.all().delete()
    MeterPeriod.objects.all().delete()
    read: dict[tuple[str, object], set[int]] = defaultdict(set)
    # sort by time: a reader's views happen in time order
    timeline = sorted(views, key=lambda v: v[2])
    for reader_index, story_id, minutes in timeline:
        reader = READERS[reader_index]
        now = BOUNDARY + timedelta(minutes=minutes * 47)  # ~ up to 48 days: crosses Feb 1 and Mar 1
        level = levels[story_id]
        result = decide_for(reader, story_id, level, now=now)
        effective = level if level in ("free", "metered", "subscribers") else "metered"
        if effective == "free" or reader.kind == SUBSCRIBER:
            expected = True
        elif effective == "subscribers":
            expected = False
        else:
            seen = read[(reader.key, period_start(now))]
            expected = story_id in seen or len(seen) < reader.limit
            if expected:
                seen.add(story_id)
        assert result.full is expected, (reader, story_id, level, now, result)
    for (key, period), stories in read.items():
        limit = next(r.limit for r in READERS if r.key == key)
        assert len(stories) <= limit
        assert MeterView.objects.filter(reader_key=key, period=period).count() == len(stories)
