"""The one entitlement function (:func:`decide`) and the monthly meter behind it.

Rules (issue 3, "Entitlements and the meter"):

* ``free`` stories: everyone reads the full body.
* ``metered`` stories: anonymous readers get ``MeterSettings.anonymous_limit`` (default
  ``MASTHEAD_METER_ANONYMOUS`` = 3) stories a calendar month, signed-in members
  ``member_limit`` (default ``MASTHEAD_METER_MEMBER`` = 10); subscribers and staff are
  unlimited. A missing or unknown access level is read as ``metered``.
* ``subscribers``: subscribers and staff only.
* Months are calendar months in ``SITE_TIME_ZONE`` (``settings.TIME_ZONE``).
* A story counts once per reader per month; a story the reader is entitled to anyway
  (free, subscriber, staff) never counts.

Exactness under concurrency: a counting decision runs in one transaction that first
locks the reader's :class:`~masthead.metering.models.MeterPeriod` row
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the ``IMMEDIATE`` transaction mode
set in settings serialises writers), then counts the reader's
:class:`~masthead.metering.models.MeterView` rows and inserts one only while under
the limit. The unique constraint on ``(reader_key, period, story_id)`` makes a
story count once even across devices.

With Redis as the cache (production), the same decision is one atomic Redis script
over the reader's month set instead, and the rows are written behind
(:mod:`masthead.metering.redis_meter`); the table's rules and constraint are the same.

Anonymous readers carry a random meter id in a signed cookie
(:data:`COOKIE_NAME`, ``django.core.signing`` with :data:`COOKIE_SALT`); their views
are stored server-side under that id. A tampered or malformed cookie is ignored (a
fresh meter), never an error.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.http import HttpRequest
from django.utils import timezone

from masthead.articles.dates import site_zone
from masthead.articles.models import AccessLevel, effective_access_level
from masthead.metering import redis_meter
from masthead.metering.models import (
    MeterPeriod,
    MeterSettings,
    MeterView,
    Subscription,
    SubscriptionStatus,
    default_anonymous_limit,
    default_member_limit,
)
from masthead.metering.purpose import purpose_of

COOKIE_NAME = "masthead_meter"
COOKIE_SALT = "masthead.metering.anonymous-meter"
COOKIE_MAX_AGE = 400 * 24 * 3600  # seconds; the longest lifetime browsers honour (RFC 6265bis)
_ANON_ID_RE = re.compile(r"^[0-9a-f]{32}$")
# WSGI environ key (not settable by clients: their headers arrive as HTTP_*) through
# which the edge cache hands Django a meter id it started and already counted on.
EDGE_NEW_ID = "masthead.meter_new_id"

# Reader kinds
ANONYMOUS, MEMBER, SUBSCRIBER, STAFF = "anonymous", "member", "subscriber", "staff"


class Reason:
    """Why a decision came out as it did (the ``reason`` of an :class:`Entitlement`)."""

    FREE = "free"
    STAFF = "staff"
    SUBSCRIBER = "subscriber"
    ALREADY_COUNTED = "already_counted"
    COUNTED = "counted"
    WOULD_COUNT = "would_count"  # a peek (record=False) with free stories left
    # The body was asked for on a request that never counts (HEAD, prefetch, a page
    # drawn again after a failed form) and reading it in full would have used a free
    # story: the reader gets the lead-in, and nothing is counted.
    NOT_COUNTED = "not_counted"
    METER_EXHAUSTED = "meter_exhausted"
    SUBSCRIBERS_ONLY = "subscribers_only"


@dataclass(frozen=True)
class MeterState:
    """A reader's meter for one month.

    ``views``: metered stories opened in full this month; ``max_views``: the month's
    allowance; ``period_start``: first local day of the month; ``period_end``: aware
    datetime of the next local midnight on the 1st (when the count resets).
    """

    views: int
    max_views: int
    period_start: date
    period_end: datetime

    @property
    def views_left(self) -> int:
        """Free metered stories left this month (never negative)."""
        return max(0, self.max_views - self.views)

    def as_json(self) -> dict[str, Any]:
        """``{"views", "views_left", "max_views", "period_start", "period_end"}`` (ISO 8601)."""
        return {
            "views": self.views,
            "views_left": self.views_left,
            "max_views": self.max_views,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
        }


@dataclass(frozen=True)
class Reader:
    """Who is reading: ``kind`` in anonymous/member/subscriber/staff, the meter ``key``
    (``None`` for an anonymous reader who has no meter yet, and for unlimited
    readers), the monthly ``limit`` of metered stories, the ``user_id`` if any, and
    ``fresh``: the meter id was made for this request, so nothing is stored under it."""

    kind: str
    key: str | None
    limit: int
    user_id: int | None = None
    fresh: bool = False

    @property
    def unlimited(self) -> bool:
        """True for subscribers and staff."""
        return self.kind in (SUBSCRIBER, STAFF)


@dataclass(frozen=True)
class Entitlement:
    """The outcome of :func:`decide`.

    ``full``: the reader may see the whole body (else only the lead-in);
    ``reason``: a :class:`Reason` value; ``reader_kind``; ``meter``: the meter after
    the decision (``None`` when no meter applies: free story, subscriber, staff);
    ``counted``: this decision used one of the month's free stories.
    """

    full: bool
    reason: str
    reader_kind: str
    meter: MeterState | None = None
    counted: bool = False

    @property
    def cut(self) -> str:
        """What a page shows for this decision: ``"full"`` or ``"leadin:<reason>"`` (the
        name of the cached story variant; never anything about the reader)."""
        return "full" if self.full else f"leadin:{self.reason}"


# --- periods -----------------------------------------------------------------------------
def period_start(now: datetime | None = None) -> date:
    """First day of the calendar month containing ``now`` in the site's time zone."""
    local = timezone.localtime(now or timezone.now(), site_zone())
    return local.date().replace(day=1)


def period_end(start: date) -> datetime:
    """Aware datetime of local midnight on the 1st of the month after ``start``."""
    nxt = date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)
    return datetime.combine(nxt, time(0, 0), tzinfo=site_zone())


# --- readers -----------------------------------------------------------------------------
def _limits(request: HttpRequest | None) -> MeterSettings | None:
    """The site's meter settings. For a request they come from a copy kept under the
    content version (:func:`masthead.core.page_cache.local_get`), which every change
    of the settings renews, so a story page does not query them each time."""
    from wagtail.models import Site

    from masthead.core.page_cache import local_get, local_set, polled_version

    try:
        if request is None:
            site = Site.objects.filter(is_default_site=True).first()
            return MeterSettings.for_site(site) if site else None
        site = Site.find_for_request(request)
        if site is None:
            return None
        key = f"masthead:meter-settings:{site.pk}:{polled_version()}"
        found = local_get(key)
        if found is None:
            found = MeterSettings.for_site(site)
            local_set(key, found)
        return found
    except Exception:  # noqa: BLE001 - no Site yet: fall back to the settings defaults
        return None


def anonymous_limit(request: HttpRequest | None = None) -> int:
    """The anonymous monthly allowance from the site setting (default from settings)."""
    s = _limits(request)
    return s.anonymous_limit if s else default_anonymous_limit()


def member_limit(request: HttpRequest | None = None) -> int:
    """The member monthly allowance from the site setting (default from settings)."""
    s = _limits(request)
    return s.member_limit if s else default_member_limit()


def subscription_entitlement(
    user: Any, now: datetime | None = None
) -> tuple[bool, datetime | None]:
    """``(subscribed, until)`` for ``user`` at ``now`` (default: now): whether a subscription
    is active and not past its period end, and until when that holds without a change to
    the rows (the latest period end of those subscriptions; ``None`` when one is
    open-ended, or when not subscribed).

    This is the only subscription check (:func:`has_active_subscription` asks it); a
    payment provider later only has to keep
    :class:`~masthead.metering.models.Subscription` rows up to date. A period end
    passing sends no signal, so whatever remembers the answer must also remember
    ``until`` (the member snapshot of :mod:`masthead.core.member_pages` does).
    """
    if not getattr(user, "is_authenticated", False):
        return False, None
    ends = list(
        Subscription.objects.filter(user_id=user.pk, status=SubscriptionStatus.ACTIVE)
        .exclude(current_period_end__lte=now or timezone.now())
        .values_list("current_period_end", flat=True)
    )
    if not ends:
        return False, None
    return True, None if any(end is None for end in ends) else max(ends)


def has_active_subscription(user: Any) -> bool:
    """True when ``user`` has a subscription that is active and not past its period end
    (:func:`subscription_entitlement`; remembered on ``user`` for the request)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_masthead_subscriber", None)
    if cached is None:
        cached = subscription_entitlement(user)[0]
        user._masthead_subscriber = cached
    return cached


def user_reader(user: Any, request: HttpRequest | None = None) -> Reader:
    """The :class:`Reader` for an authenticated ``user``."""
    if user.is_staff or user.is_superuser:
        return Reader(STAFF, None, 0, user.pk)
    if has_active_subscription(user):
        return Reader(SUBSCRIBER, None, 0, user.pk)
    return Reader(MEMBER, f"u:{user.pk}", member_limit(request), user.pk)


def anonymous_meter_id(request: HttpRequest) -> str | None:
    """The anonymous meter id from the signed cookie, or ``None`` if absent/tampered/malformed."""
    new = getattr(request, "_masthead_meter_new_id", None)
    if new:
        return new
    edge_id = request.META.get(EDGE_NEW_ID)  # a meter the edge cache just started
    if isinstance(edge_id, str) and _ANON_ID_RE.match(edge_id):
        request._masthead_meter_new_id = edge_id
        return edge_id
    try:
        value = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT)
    except Exception:  # noqa: BLE001 - any malformed cookie is a fresh meter (issue 3)
        return None
    if isinstance(value, str) and _ANON_ID_RE.match(value):
        return value
    return None


def reader_for_request(request: HttpRequest, *, create: bool = False) -> Reader:
    """The :class:`Reader` behind ``request``.

    :param create: for an anonymous reader without a valid cookie, start a new meter
        id (the middleware then sets the cookie on the response).
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user_reader(user, request)
    meter_id = anonymous_meter_id(request)
    fresh = False
    if meter_id is None and create:
        meter_id = uuid.uuid4().hex
        request._masthead_meter_new_id = meter_id
        fresh = True
    return Reader(
        ANONYMOUS, f"a:{meter_id}" if meter_id else None, anonymous_limit(request), fresh=fresh
    )


# --- the meter ---------------------------------------------------------------------------
def _state(reader: Reader, views: int, start: date) -> MeterState:
    return MeterState(views, reader.limit, start, period_end(start))


# --- the meter mirror in the cache (read by the edge cache, masthead.core.edge) -------------
MIRROR_PREFIX = "masthead:meter:"


def mirror_key(reader_key: str, start: date) -> str:
    """Cache key of the mirror of meter ``reader_key`` for the month starting ``start``."""
    return f"{MIRROR_PREFIX}{reader_key}:{start.isoformat()}"


def read_mirror(reader_key: str, start: date) -> frozenset[int] | None:
    """Story ids known to be counted on meter ``reader_key`` this month, or ``None``.

    The mirror is a copy of the meter kept in Django's cache so that a re-read or a
    used-up meter can be decided in the same cache round trip as a page's other keys.
    It may lag behind the meter (a lost or reordered cache write) but never runs ahead
    of it: it is written only after the rows are committed, or with the Redis meter
    by the same script that counts (:mod:`masthead.metering.redis_meter`), and every
    deletion of a ``MeterView`` row deletes the mirror (:func:`forget_mirror`). So
    "story in the mirror" implies "counted", and "mirror size >= limit" implies "meter
    used up"; anything else must be decided by :func:`decide_for`.
    """
    from django.core.cache import cache

    value = cache.get(mirror_key(reader_key, start))
    return frozenset(value) if value is not None else None


def _write_mirror(reader_key: str, start: date, story_ids: Any) -> None:
    from django.core.cache import cache

    ttl = max(60, int((period_end(start) - timezone.now()).total_seconds()) + 3600)
    cache.set(mirror_key(reader_key, start), tuple(sorted(story_ids)), ttl)


def remember_mirror(reader_key: str, start: date, story_ids: Any) -> None:
    """Store ``story_ids`` (read from committed rows) as the mirror, after the commit."""
    ids = tuple(story_ids)
    transaction.on_commit(lambda: _write_mirror(reader_key, start, ids))


def forget_mirror(reader_key: str, start: date | None = None) -> None:
    """Drop the mirror of ``reader_key`` (this month, or ``start``'s month), and its Redis
    meter set, which is reloaded from the rows when next needed."""
    from django.core.cache import cache

    start = start or period_start()
    cache.delete(mirror_key(reader_key, start))
    if redis_meter.enabled():
        redis_meter.forget(reader_key, start)


def meter_html(entitlement: Entitlement) -> str:
    """The meter line shown above a story body for ``entitlement`` (HTML, may be empty).

    ``<p class="meter" …>V / M free stories this month</p>`` when a meter applies (not
    above the prompt of a subscribers-only story, where it would read as an offer), the
    subscriber line for subscribers, else ``""``. Only integers and fixed text go in,
    so nothing needs escaping. Rendered per request into the slot of a cached story
    variant (:data:`METER_SLOT`), so the shared HTML never carries a reader's count.
    """
    meter = entitlement.meter
    if entitlement.reason == Reason.SUBSCRIBERS_ONLY:
        return ""  # the free-story count says nothing about a story only subscribers read
    if meter is not None:
        # Stories carried over from an anonymous meter at sign-in can take a member past
        # the allowance (they stay readable); the line never reads "11 / 10".
        used = min(meter.views, meter.max_views)
        return (
            f'<p class="meter" data-meter-views="{used}" '
            f'data-meter-max="{meter.max_views}"><span class="meter__count">'
            f"{used} / {meter.max_views}</span> free stories this month</p>"
        )
    if entitlement.reader_kind == SUBSCRIBER:
        return '<p class="meter meter--unlimited">Subscriber: unlimited stories</p>'
    return ""


# The placeholder a story template prints where the meter line goes (see meter_html).
METER_SLOT = "<!--masthead:meter-slot-->"


def meter_state(reader: Reader, now: datetime | None = None) -> MeterState | None:
    """The reader's meter this month, or ``None`` for unlimited readers."""
    if reader.unlimited:
        return None
    start = period_start(now)
    views = 0
    if reader.key and redis_meter.enabled():
        views = len(redis_meter.seen(reader.key, start))
    elif reader.key:
        views = MeterView.objects.filter(reader_key=reader.key, period=start).count()
    return _state(reader, views, start)


def decide_from_mirror(
    reader: Reader, story_id: int, seen: Collection[int] | None, start: date
) -> Entitlement | None:
    """Decide a metered story from the stories already counted, when they settle it.

    ``seen``: the stories counted on ``reader``'s meter in month ``start`` -- from the
    mirror (:func:`read_mirror`, may lag, never runs ahead) or from the table. Returns
    the decision for a re-read (story in ``seen``) or a used-up meter (``len(seen)`` >=
    limit), both true for the rest of the month; ``None`` when it may still count.
    """
    if seen is None or reader.key is None:
        return None
    if story_id in seen:
        return Entitlement(
            True, Reason.ALREADY_COUNTED, reader.kind, _state(reader, len(seen), start)
        )
    if len(seen) >= reader.limit:
        return Entitlement(
            False, Reason.METER_EXHAUSTED, reader.kind, _state(reader, len(seen), start)
        )
    return None


_READ_MIRROR = object()  # decide_for reads the mirror itself


def decide_for(
    reader: Reader,
    story_id: int,
    access_level: str | None,
    *,
    record: bool = True,
    now: datetime | None = None,
    mirror: Any = _READ_MIRROR,
) -> Entitlement:
    """Decide whether ``reader`` may read story ``story_id`` in full (see module docstring).

    :param access_level: the story's stored access level; unknown or missing → metered.
    :param record: when True, a metered story the reader still has allowance for is
        counted (exactly once); when False this is a side-effect-free peek.
    :param now: the time of the view (default: now); decides the month.
    :param mirror: the reader's meter mirror for the month of ``now`` when the caller
        has already read it from the cache (``None``: there is none); by default it is
        read here (:func:`read_mirror`).
    """
    level = effective_access_level(access_level)
    if reader.kind == STAFF:
        return Entitlement(True, Reason.STAFF, reader.kind)
    if level == AccessLevel.FREE:
        return Entitlement(True, Reason.FREE, reader.kind)
    if reader.kind == SUBSCRIBER:
        return Entitlement(True, Reason.SUBSCRIBER, reader.kind)
    start = period_start(now)
    if level == AccessLevel.SUBSCRIBERS:
        return Entitlement(False, Reason.SUBSCRIBERS_ONLY, reader.kind, meter_state(reader, now))
    if reader.key is None:  # anonymous reader with no meter yet and a peek
        full = reader.limit > 0
        reason = Reason.WOULD_COUNT if full else Reason.METER_EXHAUSTED
        return Entitlement(full, reason, reader.kind, _state(reader, 0, start))
    # Fast paths without a lock: a re-read, or a meter already used up. Both stay true
    # for the rest of the month (views of a period only ever grow): first from the
    # mirror in the cache, then from the table.
    if mirror is _READ_MIRROR:
        mirror = read_mirror(reader.key, start)
    settled = decide_from_mirror(reader, story_id, mirror, start)
    if settled is not None:
        return settled
    if redis_meter.enabled():
        return _count_in_redis(reader, story_id, start, now or timezone.now(), record=record)
    if record and _counts_in_one_statement():
        return _count_in_database(reader, story_id, start, now or timezone.now())
    if mirror is None or not record:
        # No mirror yet (or a peek, which must not take the lock): the table decides.
        seen = list(
            MeterView.objects.filter(reader_key=reader.key, period=start).values_list(
                "story_id", flat=True
            )
        )
        if seen:
            remember_mirror(reader.key, start, seen)
        settled = decide_from_mirror(reader, story_id, seen, start)
        if settled is not None:
            return settled
        if not record:
            return Entitlement(
                True, Reason.WOULD_COUNT, reader.kind, _state(reader, len(seen), start)
            )
    # (With a mirror that did not settle it, the check under the lock decides.)
    return _count_in_python(reader, story_id, start, now or timezone.now())


def _count_in_redis(
    reader: Reader, story_id: int, start: date, now: datetime, *, record: bool
) -> Entitlement:
    """Decide (and with ``record``, count) from the reader's meter set in Redis
    (:mod:`masthead.metering.redis_meter`): the same rule as the database paths, in
    one atomic script; the row is written behind."""
    if not record:  # a peek: what the set holds decides, nothing is counted
        seen = redis_meter.seen(reader.key, start)
        settled = decide_from_mirror(reader, story_id, seen, start)
        if settled is not None:
            return settled
        return Entitlement(True, Reason.WOULD_COUNT, reader.kind, _state(reader, len(seen), start))
    status, views = redis_meter.count(
        reader.key, reader.limit, story_id, start, now, fresh=reader.fresh
    )
    state = _state(reader, views, start)
    if status == redis_meter.COUNTED:
        return Entitlement(True, Reason.COUNTED, reader.kind, state, counted=True)
    if status == redis_meter.ALREADY:
        return Entitlement(True, Reason.ALREADY_COUNTED, reader.kind, state)
    return Entitlement(False, Reason.METER_EXHAUSTED, reader.kind, state)


def _count_in_python(reader: Reader, story_id: int, start: date, now: datetime) -> Entitlement:
    """Count ``story_id`` on ``reader``'s meter for month ``start`` with the ORM: lock the
    reader's :class:`~masthead.metering.models.MeterPeriod` row (created when missing),
    read the month's views, insert one only while under the limit (five statements;
    SQLite, or PostgreSQL with ``MASTHEAD_METER_SQL_FUNCTION = False``)."""
    with transaction.atomic():
        locked = MeterPeriod.objects.select_for_update().filter(reader_key=reader.key, period=start)
        if not list(locked.values_list("pk", flat=True)[:1]):  # first view this month
            MeterPeriod.objects.bulk_create(
                [MeterPeriod(reader_key=reader.key, period=start)], ignore_conflicts=True
            )
            MeterPeriod.objects.select_for_update().get(reader_key=reader.key, period=start)
        seen = set(
            MeterView.objects.filter(reader_key=reader.key, period=start).values_list(
                "story_id", flat=True
            )
        )
        settled = decide_from_mirror(reader, story_id, seen, start)
        if settled is not None:
            return settled
        MeterView.objects.create(
            reader_key=reader.key, period=start, story_id=story_id, viewed_at=now
        )
        remember_mirror(reader.key, start, [*seen, story_id])
        return Entitlement(
            True, Reason.COUNTED, reader.kind, _state(reader, len(seen) + 1, start), counted=True
        )


def _counts_in_one_statement() -> bool:
    """True when the meter's database is PostgreSQL and ``MASTHEAD_METER_SQL_FUNCTION``
    (default True) is on: counting then takes one round trip (:func:`_count_in_database`)."""
    if not getattr(settings, "MASTHEAD_METER_SQL_FUNCTION", True):
        return False
    return connections[router.db_for_write(MeterView)].vendor == "postgresql"


def _count_in_database(reader: Reader, story_id: int, start: date, now: datetime) -> Entitlement:
    """Count ``story_id`` on ``reader``'s meter for month ``start`` in one statement.

    Calls the PostgreSQL function ``masthead_meter_count`` (migrations
    ``metering.0002_meter_count_function`` and ``0003_meter_count_async_commit``: with
    ``MASTHEAD_METER_ASYNC_COMMIT``, default on, its commit does not wait for the WAL
    flush; see that migration for what a crash can cost): it locks the reader's
    :class:`~masthead.metering.models.MeterPeriod` row as the Python path does, reads
    the month's views after the lock and inserts one only while under the limit, all
    in the statement's own transaction (or the caller's, if one is open). Returns the
    same :class:`Entitlement` as the Python path for the same rows; the mirror is
    renewed after the commit.
    """
    alias = router.db_for_write(MeterView)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT counted, seen FROM masthead_meter_count(%s, %s, %s, %s, %s, %s)",
            [
                reader.key,
                start,
                story_id,
                reader.limit,
                now,
                bool(getattr(settings, "MASTHEAD_METER_ASYNC_COMMIT", True)),
            ],
        )
        counted, seen = cursor.fetchone()
    seen = [int(s) for s in seen or ()]
    if counted:
        remember_mirror(reader.key, start, [*seen, story_id])
        return Entitlement(
            True, Reason.COUNTED, reader.kind, _state(reader, len(seen) + 1, start), counted=True
        )
    if seen:
        remember_mirror(reader.key, start, seen)
    settled = decide_from_mirror(reader, story_id, seen, start)
    if settled is None:  # the function and decide_from_mirror apply the same rule
        raise RuntimeError("masthead_meter_count refused a view the limit allows")
    return settled


def decide(request: HttpRequest, story: Any, *, record: bool = True) -> Entitlement:
    """THE entitlement function: may the reader behind ``request`` read ``story`` in full?

    ``story`` needs ``pk`` and ``access_level`` (a :class:`~masthead.articles.models.StoryPage`).

    :param record: ``True`` when the body is about to be shown (a story page);
        ``False`` for a side-effect-free peek that shows no body (a reading list
        saying "opening it uses a free story": :data:`Reason.WOULD_COUNT`).

    When the body is to be shown but the request's :class:`~masthead.metering.purpose.Purpose`
    never counts (HEAD, a prefetch or prerender, the page drawn again after a POST),
    nothing is counted and a read that *would* have counted is answered with the
    lead-in (:data:`Reason.NOT_COUNTED`): gated text is only ever shown to a reader
    who is entitled to it or whose read was counted.

    Decisions are remembered on the request, so a page asks once however many
    templates look. The request is marked reader-dependent, so the middleware sends
    ``Cache-Control: private``.
    """
    show = record
    if show and not purpose_of(request.method, request.META).counts:
        record = False
    memo: dict[str, Entitlement] = request.__dict__.setdefault("_masthead_entitlements", {})
    mode = "count" if record else ("show" if show else "peek")
    key = f"{story.pk}:{mode}"
    if key in memo:
        return memo[key]
    level = effective_access_level(story.access_level)
    if level == AccessLevel.FREE:  # the same for every reader: leave the page cacheable
        user = getattr(request, "user", None)
        kind = (
            ANONYMOUS
            if user is None or not user.is_authenticated
            else user_reader(user, request).kind
        )
        return memo.setdefault(key, Entitlement(True, Reason.FREE, kind))
    request._masthead_reader_dependent = True
    needs_meter = record and level == AccessLevel.METERED
    reader = reader_for_request(request, create=needs_meter)
    result = decide_for(reader, story.pk, story.access_level, record=record)
    if show and not record and result.reason == Reason.WOULD_COUNT:
        result = Entitlement(False, Reason.NOT_COUNTED, result.reader_kind, result.meter)
    memo[key] = result
    return result


def request_entitlement(request: HttpRequest, story: Any) -> Entitlement | None:
    """The decision :func:`decide` made for showing ``story`` on this request, or ``None``."""
    memo = request.__dict__.get("_masthead_entitlements") or {}
    return memo.get(f"{story.pk}:count") or memo.get(f"{story.pk}:show")


def request_meter_state(request: HttpRequest) -> tuple[Reader, MeterState | None]:
    """The reader and their meter this month (no side effects; no cookie is created)."""
    request._masthead_reader_dependent = True
    reader = reader_for_request(request)
    return reader, meter_state(reader)


def merge_anonymous_meter(meter_id: str, user: Any, now: datetime | None = None) -> int:
    """Move this month's stories of anonymous meter ``meter_id`` onto ``user``'s meter.

    Stories already on the member's meter are not counted twice; moved stories stay
    readable even if that takes the member past the monthly allowance (they were
    already read in full). The anonymous meter is then deleted (all months).

    :returns: how many stories were added to the member's meter.
    """
    if not _ANON_ID_RE.match(meter_id or ""):
        return 0
    start = period_start(now)
    anon_key, user_key = f"a:{meter_id}", f"u:{user.pk}"
    if redis_meter.enabled():
        redis_meter.flush()  # the rows hold every view counted so far
        transaction.on_commit(lambda: forget_mirror(user_key, start))
    with transaction.atomic():
        MeterPeriod.objects.bulk_create(
            [MeterPeriod(reader_key=user_key, period=start)], ignore_conflicts=True
        )
        MeterPeriod.objects.select_for_update().get(reader_key=user_key, period=start)
        anon = set(
            MeterView.objects.filter(reader_key=anon_key, period=start).values_list(
                "story_id", flat=True
            )
        )
        have = set(
            MeterView.objects.filter(reader_key=user_key, period=start).values_list(
                "story_id", flat=True
            )
        )
        new = sorted(anon - have)
        MeterView.objects.bulk_create(
            [MeterView(reader_key=user_key, period=start, story_id=sid) for sid in new],
            ignore_conflicts=True,
        )
        MeterView.objects.filter(reader_key=anon_key).delete()
        MeterPeriod.objects.filter(reader_key=anon_key).delete()
    return len(new)


def erase_user_meter(user_id: int) -> dict[str, int]:
    """Delete all meter rows and subscriptions of a user (account deletion)."""
    key = f"u:{user_id}"
    if redis_meter.enabled():
        redis_meter.flush()  # no view written behind may come back after the deletion
    views, _ = MeterView.objects.filter(reader_key=key).delete()
    MeterPeriod.objects.filter(reader_key=key).delete()
    subs, _ = Subscription.objects.filter(user_id=user_id).delete()
    return {"meter_views": views, "subscriptions": subs}


def export_user_meter(user_id: int) -> dict[str, Any]:
    """Meter rows and subscriptions of a user, JSON-ready (for "export my data")."""
    key = f"u:{user_id}"
    if redis_meter.enabled():
        redis_meter.flush()  # views counted in Redis and not yet written
    return {
        "meter_views": [
            {
                "story_id": v.story_id,
                "month": v.period.strftime("%Y-%m"),
                "viewed_at": v.viewed_at.isoformat(),
            }
            for v in MeterView.objects.filter(reader_key=key).order_by("viewed_at")
        ],
        "subscriptions": [
            {
                "plan": s.plan,
                "status": s.status,
                "current_period_end": s.current_period_end.isoformat()
                if s.current_period_end
                else None,
                "created_at": s.created_at.isoformat(),
            }
            for s in Subscription.objects.filter(user_id=user_id)
        ],
    }


def cookie_settings() -> dict[str, Any]:
    """Keyword arguments for ``response.set_signed_cookie`` of the anonymous meter cookie."""
    return {
        "salt": COOKIE_SALT,
        "max_age": COOKIE_MAX_AGE,
        "httponly": True,
        "samesite": "Lax",
        "secure": settings.SESSION_COOKIE_SECURE,
    }
