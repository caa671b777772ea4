"""The meter's hot path in Redis: one atomic script per counting decision, rows written behind.

Used when the default cache is django-redis (``REDIS_URL``/``CACHE_URL``) and
``MASTHEAD_METER_REDIS`` is on (the default); otherwise the meter counts in the database
(:func:`masthead.metering.services.decide_for`). Issue 7 allows Redis for "the meter's
hot path if it helps": a member's first read of a story costs one Redis script call
instead of a PostgreSQL transaction (the measured figures are in ``docs/production.md``).

How it stays exact (issue 3: "a member at 9 of 10 who opens 20 different metered
stories at the same moment gets exactly one of them in full", across processes):

* Each reader's month is a Redis set (:func:`set_key`) of the story ids counted, plus
  the marker ``L`` ("loaded"). :data:`COUNT_SCRIPT` runs atomically in Redis (scripts
  never interleave): a story already in the set is a re-read; otherwise it is added only
  while the set holds fewer than the limit. So every app process sees one order.
* A story added is also recorded as *pending* (:func:`pending_key`, story id -> time)
  and the reader's month marked dirty (:func:`dirty_key`). :func:`flush` inserts the
  pending views as :class:`~masthead.metering.models.MeterView` rows (``INSERT … ON
  CONFLICT DO NOTHING``) and only then removes them from Redis, so every view is always
  pending, written, or both. Every app process flushes every
  ``MASTHEAD_METER_FLUSH_SECONDS`` (0.5) on a background thread, and anything that
  reads the rows as the truth (export, merge at sign-in, erase, the benchmark's
  exactness check) flushes first.
* A set that is missing (a new month, a Redis restart, an eviction, a deliberate
  :func:`forget`) is loaded from the pending views (read first) and then the rows, so
  a view a flush moves between the two reads is in one or the other. A brand-new
  anonymous meter id has neither and starts an empty set at once.
* The script also writes the reader's meter *mirror* (:func:`~masthead.metering.services.mirror_key`,
  read by the edge cache in the same round trip as the member's other keys) as the
  set's ids in pickle protocol 0 (``(I1\\nI2\\nt.``, a tuple of ints), which
  django-redis's default serializer reads back; so the mirror never runs ahead of the
  set. With a custom ``SERIALIZER`` or ``COMPRESSOR`` in the cache ``OPTIONS`` this
  module stays off.

What it can cost: views counted but not yet written (at most about
``MASTHEAD_METER_FLUSH_SECONDS`` of them) are lost if Redis itself loses its data (a
restart without persistence). A story lost that way can be counted once more later in
the month; no reader is ever refused a story they are owed. Pending views and the dirty
set have no expiry, so a ``volatile-*`` eviction policy (docs/production.md recommends
``volatile-lru``) never drops them; sets and mirrors expire an hour after their month
ends, and an evicted set is loaded again.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

LOADED = "L"  # the marker member of every loaded set
DIRTY = "masthead:meter-dirty"
FLUSH_LOCK = "masthead:meter-flush-lock"
FLUSH_BATCH = 500  # readers' months per round of a flush

# KEYS: set, mirror, pending, dirty. ARGV: story id, limit, ttl (s), time of the view
# (POSIX seconds), "1" to start a missing set empty (a brand-new meter id), the dirty
# member ("<reader>|<month>"), then (when loading) the story ids of the rows.
# "load" ARGV[7] = "1": a missing set is loaded from ARGV[8..] and the pending views.
# Returns {status, stories counted, ...}: status -1 set not loaded (then followed by the
# story ids pending for it), 0 already counted, 1 counted now, 2 meter used up.
COUNT_SCRIPT = """
local set, mirror, pending, dirty = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call('EXISTS', set) == 0 then
  if ARGV[5] == '1' then
    redis.call('SADD', set, 'L')
  elseif ARGV[7] == '1' then
    redis.call('SADD', set, 'L')
    for i = 8, #ARGV do redis.call('SADD', set, ARGV[i]) end
    for _, id in ipairs(redis.call('HKEYS', pending)) do redis.call('SADD', set, id) end
  else
    local out = {-1, 0}
    for _, id in ipairs(redis.call('HKEYS', pending)) do out[#out + 1] = id end
    return out
  end
  redis.call('EXPIRE', set, ARGV[3])
end
local status
if redis.call('SISMEMBER', set, ARGV[1]) == 1 then
  status = 0
elseif redis.call('SCARD', set) - 1 >= tonumber(ARGV[2]) then
  status = 2
else
  redis.call('SADD', set, ARGV[1])
  redis.call('HSET', pending, ARGV[1], ARGV[4])
  redis.call('SADD', dirty, ARGV[6])
  status = 1
end
local parts, n = {'('}, 0
for _, id in ipairs(redis.call('SMEMBERS', set)) do
  if id ~= 'L' then
    n = n + 1
    parts[#parts + 1] = 'I' .. id .. '\\n'
  end
end
parts[#parts + 1] = 't.'
redis.call('SET', mirror, table.concat(parts), 'EX', ARGV[3])
return {status, n}
"""

# KEYS: dirty. ARGV: the pending keys' prefix, how many. Returns up to that many dirty
# members ("<reader>|<month>"), each followed by its pending hash as a flat array.
TAKE_SCRIPT = """
local out = {}
for _, m in ipairs(redis.call('SRANDMEMBER', KEYS[1], tonumber(ARGV[2]))) do
  local sep = string.find(m, '|', 1, true)
  out[#out + 1] = m
  if sep then
    local key = ARGV[1] .. string.sub(m, 1, sep - 1) .. ':' .. string.sub(m, sep + 1)
    out[#out + 1] = redis.call('HGETALL', key)
  else
    out[#out + 1] = {}
  end
end
return out
"""

# KEYS: dirty. ARGV: the pending keys' prefix, then for each member written: the member,
# how many story ids, those ids. Drops those views from the member's pending hash, and
# the member from the dirty set once nothing is pending for it.
CLEAN_SCRIPT = """
local i = 2
while i <= #ARGV do
  local m, n = ARGV[i], tonumber(ARGV[i + 1])
  local sep = string.find(m, '|', 1, true)
  local key = nil
  if sep then key = ARGV[1] .. string.sub(m, 1, sep - 1) .. ':' .. string.sub(m, sep + 1) end
  if key then
    for j = 1, n do redis.call('HDEL', key, ARGV[i + 1 + j]) end
  end
  if key == nil or redis.call('HLEN', key) == 0 then redis.call('SREM', KEYS[1], m) end
  i = i + 2 + n
end
return 0
"""

NOT_LOADED, ALREADY, COUNTED, EXHAUSTED = -1, 0, 1, 2


def enabled() -> bool:
    """True when the meter counts in Redis: ``MASTHEAD_METER_REDIS`` (default True) and
    the default cache is django-redis with its default serializer and compressor."""
    if not getattr(settings, "MASTHEAD_METER_REDIS", True):
        return False
    conf = settings.CACHES.get("default", {})
    if conf.get("BACKEND") != "django_redis.cache.RedisCache":
        return False
    options = conf.get("OPTIONS") or {}
    return not options.get("SERIALIZER") and not options.get("COMPRESSOR")


class _Redis:
    """The raw client and registered scripts of the current default cache (per thread,
    renewed when the cache object changes, as under ``override_settings`` in tests)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self) -> tuple[Any, Any, Any, Any]:
        from django.core.cache import caches
        from django_redis import get_redis_connection

        backend = caches["default"]
        state = getattr(self._local, "state", None)
        if state is None or state[0] is not backend:
            client = get_redis_connection("default")
            state = (
                backend,
                client,
                client.register_script(COUNT_SCRIPT),
                client.register_script(TAKE_SCRIPT),
                client.register_script(CLEAN_SCRIPT),
            )
            self._local.state = state
        return state[1], state[2], state[3], state[4]


_redis = _Redis()


def _key(name: str) -> str:
    from django.core.cache import cache

    return cache.make_key(name)


def set_key(reader_key: str, start: date) -> str:
    """Redis key (with the cache's prefix) of meter ``reader_key``'s set for month ``start``."""
    return _key(f"masthead:meterset:{reader_key}:{start.isoformat()}")


def _pending_prefix() -> str:
    return _key("masthead:meter-pending:")


def pending_key(reader_key: str, start: date) -> str:
    """Redis key of the hash of views (story id -> POSIX time) of meter ``reader_key`` in
    month ``start`` counted and not yet written to the database. It has no expiry, so
    Redis's ``volatile-*`` eviction policies never drop it. (The scripts build the same
    key from the prefix and the dirty member.)"""
    return f"{_pending_prefix()}{reader_key}:{start.isoformat()}"


def dirty_key() -> str:
    """Redis key of the set of ``"<reader key>|<month>"`` with views pending."""
    return _key(DIRTY)


def _ttl(start: date) -> int:
    from masthead.metering.services import period_end

    return max(60, int((period_end(start) - timezone.now()).total_seconds()) + 3600)


def _keys(reader_key: str, start: date) -> list[str]:
    from masthead.metering.services import mirror_key

    return [
        set_key(reader_key, start),
        _key(mirror_key(reader_key, start)),
        pending_key(reader_key, start),
        dirty_key(),
    ]


def count(
    reader_key: str, limit: int, story_id: int, start: date, now: datetime, *, fresh: bool = False
) -> tuple[int, int]:
    """Count ``story_id`` on meter ``reader_key`` for month ``start`` (atomically in Redis).

    One script call; when the reader's set is missing, a second one that loads it from
    the rows and the pending views (read before the rows, so a view written by a
    flush in between is in one or the other) and then decides.

    :param limit: the month's allowance (stories).
    :param fresh: the meter id was made for this request (no rows can exist yet).
    :returns: ``(status, stories counted after the call)``: status :data:`ALREADY`,
        :data:`COUNTED` or :data:`EXHAUSTED`.
    :raises redis.RedisError: Redis cannot be reached (the request fails rather than
        serve a page the meter did not decide).
    """
    _client, script, _take, _clean = _redis.get()
    _start_flusher()
    keys = _keys(reader_key, start)
    args = [
        int(story_id),
        int(limit),
        _ttl(start),
        f"{now.timestamp():.6f}",
        "1" if fresh else "0",
        f"{reader_key}|{start.isoformat()}",
    ]
    out = script(keys=keys, args=[*args, "0"])
    if int(out[0]) == NOT_LOADED:
        pending = [int(x) for x in out[2:]]
        rows = _stored(reader_key, start)
        out = script(keys=keys, args=[*args, "1", *sorted({*pending, *rows})])
    return int(out[0]), int(out[1])


def seen(reader_key: str, start: date) -> frozenset[int]:
    """The story ids counted on meter ``reader_key`` in month ``start``: its set, or when
    that is missing the rows and the pending views (nothing is loaded or counted)."""
    client, *_ = _redis.get()
    pipe = client.pipeline(transaction=False)
    pipe.smembers(set_key(reader_key, start))
    pipe.hkeys(pending_key(reader_key, start))
    members, pending = pipe.execute()
    if members:
        return frozenset(int(m) for m in members if m not in (b"L", "L"))
    return frozenset({*(int(p) for p in pending), *_stored(reader_key, start)})


def _stored(reader_key: str, start: date) -> list[int]:
    """The story ids of meter ``reader_key``'s rows for month ``start`` (one query)."""
    from django.db import connections, router

    from masthead.metering.models import MeterView

    table = MeterView._meta.db_table
    with connections[router.db_for_read(MeterView)].cursor() as cursor:
        cursor.execute(
            f"SELECT story_id FROM {table} WHERE reader_key = %s AND period = %s",  # noqa: S608
            [reader_key, start],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def forget(reader_key: str, start: date) -> None:
    """Drop meter ``reader_key``'s set for month ``start`` (it is loaded again from the
    rows and the pending views when next needed)."""
    client, *_ = _redis.get()
    client.delete(set_key(reader_key, start))


def _when(raw: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(raw), tz=timezone.get_current_timezone())
    except (ValueError, TypeError, OverflowError, OSError):
        return None


def flush(*, background: bool = False, batch: int = FLUSH_BATCH) -> int:
    """Write every pending view into :class:`~masthead.metering.models.MeterView` rows.

    Takes up to ``batch`` dirty readers' months and their pending views in one script
    call, inserts the views with conflicts ignored (a view already written stays one
    row; :func:`_insert`), and only then removes them from Redis in one more call, so a
    view is always pending, written, or both. If the insert fails, nothing is removed
    and the error is raised. A malformed entry is logged and removed. Repeats until
    nothing is dirty, at most as many rounds as there were dirty months at the start
    (plus one), so it ends under any load.

    :param background: the periodic flush: skip at once if another process holds the
        flush lock (it only avoids duplicate work). Other callers flush regardless.
    :returns: the number of views written.
    """
    client, _script, take, clean = _redis.get()
    lock = None
    if background:
        lock = client.lock(_key(FLUSH_LOCK), timeout=10, blocking=False)
        if not lock.acquire():
            return 0
    written = 0
    prefix = _pending_prefix()
    try:
        rounds = client.scard(dirty_key()) // batch + 1
        for _ in range(rounds):
            taken = take(keys=[dirty_key()], args=[prefix, batch])
            if not taken:
                break
            rows: list[tuple[str, date, int, datetime]] = []
            done: list[Any] = [prefix]
            for raw_member, flat in zip(taken[::2], taken[1::2], strict=True):
                member = raw_member.decode(errors="replace")
                reader_key, _, month = member.partition("|")
                ids = flat[::2]
                try:
                    start = date.fromisoformat(month)
                except ValueError:
                    start = None
                for story, at in zip(ids, flat[1::2], strict=True):
                    when = _when(at)
                    story_id = int(story) if story.isdigit() else None
                    if start is None or when is None or story_id is None or not reader_key:
                        logger.error("dropped a malformed meter entry: %r %r %r", member, story, at)
                    else:
                        rows.append((reader_key, start, story_id, when))
                if start is None and not ids:
                    logger.error("dropped a malformed meter entry: %r", member)
                done += [raw_member, len(ids), *ids]
            _insert(rows)
            clean(keys=[dirty_key()], args=done)
            written += len(rows)
    finally:
        if lock is not None:
            try:
                lock.release()
            except Exception:  # noqa: BLE001 - the lock expired meanwhile
                logger.warning("the meter flush lock expired during a flush")
    return written


def _insert(rows: list[tuple[str, date, int, datetime]]) -> None:
    """Insert meter ``rows`` (reader key, month, story id, time) and their months' period
    rows, skipping any already there, in one transaction: on PostgreSQL two statements
    over ``unnest`` arrays; elsewhere ``bulk_create(ignore_conflicts=True)``."""
    from django.db import connections, router

    from masthead.metering.models import MeterPeriod, MeterView

    if not rows:
        return
    alias = router.db_for_write(MeterView)
    periods = sorted({(r[0], r[1]) for r in rows})
    with transaction.atomic(using=alias):
        if connections[alias].vendor == "postgresql":
            with connections[alias].cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {MeterPeriod._meta.db_table} (reader_key, period) "  # noqa: S608
                    "SELECT * FROM unnest(%s::varchar[], %s::date[]) ON CONFLICT DO NOTHING",
                    [[p[0] for p in periods], [p[1] for p in periods]],
                )
                cursor.execute(
                    f"INSERT INTO {MeterView._meta.db_table} "  # noqa: S608
                    "(reader_key, period, story_id, viewed_at) "
                    "SELECT * FROM unnest(%s::varchar[], %s::date[], %s::bigint[], "
                    "%s::timestamptz[]) ON CONFLICT DO NOTHING",
                    [
                        [r[0] for r in rows],
                        [r[1] for r in rows],
                        [r[2] for r in rows],
                        [r[3] for r in rows],
                    ],
                )
            return
        MeterPeriod.objects.using(alias).bulk_create(
            [MeterPeriod(reader_key=r, period=p) for r, p in periods], ignore_conflicts=True
        )
        MeterView.objects.using(alias).bulk_create(
            [
                MeterView(reader_key=r, period=p, story_id=sid, viewed_at=at)
                for r, p, sid, at in rows
            ],
            ignore_conflicts=True,
        )


_flusher_pid: int | None = None
_flusher_lock = threading.Lock()


def _start_flusher() -> None:
    """Start this process's background flusher once (again after a fork)."""
    global _flusher_pid
    if _flusher_pid == os.getpid():
        return
    with _flusher_lock:
        if _flusher_pid == os.getpid():
            return
        _flusher_pid = os.getpid()
        seconds = float(getattr(settings, "MASTHEAD_METER_FLUSH_SECONDS", 0.5))
        if seconds > 0:
            threading.Thread(
                target=_flush_forever, args=(seconds,), name="masthead-meter-flush", daemon=True
            ).start()


def _flush_forever(seconds: float) -> None:
    while True:
        time.sleep(seconds)
        try:
            flush(background=True)
        except Exception:  # noqa: BLE001 - logged; the views stay pending
            logger.exception("writing the meter's pending views failed; will retry")
        finally:
            close_old_connections()
