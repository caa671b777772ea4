"""The meter's hot path in Redis (masthead.metering.redis_meter): exact under concurrency,
nothing counted is lost or counted twice when the rows are written behind.

Runs against a real Redis (``REDIS_TEST_URL``, default database 15, keys under a prefix
of this test process); skipped without one, a failure under ``CI=true``.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from masthead.conftest import IN_CI
from masthead.metering import redis_meter
from masthead.metering.models import MeterPeriod, MeterView
from masthead.metering.services import (
    ANONYMOUS,
    MEMBER,
    Reader,
    Reason,
    decide_for,
    erase_user_meter,
    export_user_meter,
    merge_anonymous_meter,
    meter_state,
    mirror_key,
    period_start,
    read_mirror,
)
from masthead.metering.tests.helpers import simultaneously

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def redis_cache():
    """The default cache is django-redis on the test Redis, under a prefix of its own."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if IN_CI:
            pytest.fail(f"Redis is required under CI=true and is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: the Redis meter is not tested")
    prefix = f"masthead-meter-test-{uuid.uuid4().hex[:12]}"
    caches = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=caches):
        assert redis_meter.enabled()
        yield
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def _rows(key: str) -> int:
    return MeterView.objects.filter(reader_key=key, period=period_start()).count()


def _used(key: str, count: int, first_id: int = 10_000) -> None:
    MeterPeriod.objects.create(reader_key=key, period=period_start())
    MeterView.objects.bulk_create(
        [
            MeterView(reader_key=key, period=period_start(), story_id=first_id + i)
            for i in range(count)
        ]
    )


def test_twenty_simultaneous_opens_at_nine_of_ten_give_exactly_one():
    for round_ in range(3):
        key = f"u:{5000 + round_}"
        _used(key, 9)
        reader = Reader(MEMBER, key, 10)
        results = simultaneously(
            [lambda sid=100 + i, r=reader: decide_for(r, sid, "metered").full for i in range(20)]
        )
        assert sorted(results) == [False] * 19 + [True]
        redis_meter.flush()  # (a loader that came after the count may have flushed it)
        assert _rows(key) == 10


def test_a_count_is_in_the_mirror_the_edge_reads_and_a_reread_never_counts_again():
    reader = Reader(MEMBER, "u:77", 10)
    first = decide_for(reader, 5, "metered")
    assert (first.full, first.reason, first.counted, first.meter.views) == (
        True,
        Reason.COUNTED,
        True,
        1,
    )
    # The script wrote the mirror in a form Django's cache reads back (pickle protocol 0).
    assert read_mirror("u:77", period_start()) == frozenset({5})
    assert cache.get(mirror_key("u:77", period_start())) == (5,)
    again = decide_for(reader, 5, "metered", mirror=None)  # past the mirror: the script
    assert (again.full, again.reason, again.counted, again.meter.views) == (
        True,
        Reason.ALREADY_COUNTED,
        False,
        1,
    )
    redis_meter.flush()
    assert _rows("u:77") == 1


def test_used_up_meter_refuses_and_a_peek_never_counts():
    reader = Reader(MEMBER, "u:78", 2)
    assert decide_for(reader, 1, "metered").counted
    peek = decide_for(reader, 2, "metered", record=False)
    assert (peek.full, peek.reason) == (True, Reason.WOULD_COUNT)
    assert meter_state(reader).views == 1  # before any flush: the set is the meter
    assert decide_for(reader, 2, "metered").counted
    refused = decide_for(reader, 3, "metered", mirror=None)
    assert (refused.full, refused.reason, refused.meter.views) == (
        False,
        Reason.METER_EXHAUSTED,
        2,
    )
    assert redis_meter.flush() == 2
    assert _rows("u:78") == 2


def test_a_lost_set_is_loaded_from_the_rows_and_the_pending_views():
    """Redis lost the set (eviction, restart, a deliberate forget) while a counted view
    was not yet written: the set comes back from the rows and the pending views, so the
    story is not counted again."""
    reader = Reader(MEMBER, "u:79", 3)
    _used("u:79", 1)
    assert decide_for(reader, 1, "metered").counted  # loaded from the row, then counted
    redis_meter.forget("u:79", period_start())
    cache.delete(mirror_key("u:79", period_start()))
    assert _rows("u:79") == 1  # story 1 is only pending
    again = decide_for(reader, 1, "metered")
    assert (again.reason, again.counted, again.meter.views) == (Reason.ALREADY_COUNTED, False, 2)
    assert redis_meter.flush() == 1
    assert _rows("u:79") == 2


def test_a_flush_between_the_two_reads_of_a_load_loses_nothing():
    """The pending views are read before the rows: a view that a flush moves from one
    to the other in between is still in the loaded set."""
    from masthead.metering.models import MeterView as View

    reader = Reader(MEMBER, "u:84", 2)
    assert decide_for(reader, 1, "metered").counted
    redis_meter.forget("u:84", period_start())
    cache.delete(mirror_key("u:84", period_start()))
    real_filter = View.objects.filter

    class ReadThenFlush:  # the rows are read, then a flush writes the pending view
        def __init__(self, *args, **kwargs):
            self.query = real_filter(*args, **kwargs)

        def values_list(self, *args, **kwargs):
            rows = list(self.query.values_list(*args, **kwargs))
            assert redis_meter.flush() == 1
            return rows

    with mock.patch.object(View.objects, "filter", side_effect=ReadThenFlush):
        again = decide_for(reader, 1, "metered")
    assert (again.reason, again.meter.views) == (Reason.ALREADY_COUNTED, 1)
    assert decide_for(reader, 2, "metered").counted
    assert not decide_for(reader, 3, "metered").full


def test_a_failed_flush_keeps_every_entry_in_the_log():
    reader = Reader(MEMBER, "u:80", 10)
    for sid in (1, 2, 3):
        decide_for(reader, sid, "metered")
    with (
        mock.patch.object(redis_meter, "_insert", side_effect=RuntimeError("db down")),
        pytest.raises(RuntimeError),
    ):
        redis_meter.flush()
    assert _rows("u:80") == 0
    assert redis_meter.flush() == 3
    assert sorted(
        MeterView.objects.filter(reader_key="u:80").values_list("story_id", flat=True)
    ) == [1, 2, 3]


def test_a_malformed_pending_view_is_dropped_and_the_rest_written(caplog):
    from django_redis import get_redis_connection

    decide_for(Reader(MEMBER, "u:81", 10), 9, "metered")
    client = get_redis_connection("default")
    client.hset(redis_meter.pending_key("u:81", period_start()), "x", "not a time")
    client.sadd(redis_meter.dirty_key(), "u:81|not-a-month")
    assert redis_meter.flush() == 1
    assert _rows("u:81") == 1
    assert "malformed meter entry" in caplog.text
    assert not client.exists(redis_meter.pending_key("u:81", period_start()))
    assert not client.scard(redis_meter.dirty_key())


def test_a_new_anonymous_meter_starts_without_the_database(django_assert_num_queries):
    key = f"a:{uuid.uuid4().hex}"
    reader = Reader(ANONYMOUS, key, 3, fresh=True)
    with django_assert_num_queries(0):
        assert decide_for(reader, 4, "metered").counted
    redis_meter.flush()
    row = MeterView.objects.get(reader_key=key)
    assert row.story_id == 4
    assert abs((row.viewed_at - timezone.now()).total_seconds()) < 60


def test_sign_in_moves_the_anonymous_meter_without_counting_twice():
    from masthead.testing.personas import make_user

    member = make_user("redis-merge@example.org")
    meter_id = uuid.uuid4().hex
    anon = Reader(ANONYMOUS, f"a:{meter_id}", 3, fresh=True)
    for sid in (1, 2):
        decide_for(anon, sid, "metered")
    user_reader = Reader(MEMBER, f"u:{member.pk}", 10)
    decide_for(user_reader, 2, "metered")
    assert merge_anonymous_meter(meter_id, member) == 1  # story 1 moved; 2 was there
    reread = decide_for(user_reader, 1, "metered", mirror=None)
    assert (reread.reason, reread.meter.views) == (Reason.ALREADY_COUNTED, 2)
    assert not MeterView.objects.filter(reader_key=f"a:{meter_id}").exists()
    assert export_user_meter(member.pk)["meter_views"] and _rows(f"u:{member.pk}") == 2


def test_erasing_an_account_leaves_no_view_to_be_written_back():
    reader = Reader(MEMBER, "u:82", 10)
    decide_for(reader, 1, "metered")
    assert erase_user_meter(82)["meter_views"] == 1
    assert redis_meter.flush() == 0
    assert not MeterView.objects.filter(reader_key="u:82").exists()


def test_months_are_separate_sets():
    reader = Reader(MEMBER, "u:83", 1)
    tz = timezone.get_current_timezone()
    assert decide_for(reader, 1, "metered", now=datetime(2026, 1, 20, tzinfo=tz)).counted
    assert decide_for(reader, 2, "metered", now=datetime(2026, 2, 2, tzinfo=tz)).counted
    assert not decide_for(reader, 3, "metered", now=datetime(2026, 2, 3, tzinfo=tz)).full
    redis_meter.flush()
    assert MeterView.objects.filter(reader_key="u:83").count() == 2
