"""Write checked member rows in one transaction, with bulk statements.

Rules (the README's "Exporting and importing members" says the same to staff):

* **Idempotent.** Importing a file twice leaves the same state and logs nothing the
  second time: member records are upserted by email, subscribers and subscriptions are
  created only when missing, consent events are written only for a change.
* **Consent evidence.** Every subscription or offers consent the import creates gets a
  :class:`~masthead.newsletters.models.ConsentEvent` whose ``source`` is
  ``import:<source>`` (or the row's ``offers_consent_source``) and whose time is the
  row's ``created_at`` (subscriptions) or ``offers_consent_at`` (offers).
* **Offers only with recorded consent.** A row turns offers on only with
  ``offers_consent_at`` (checked in :mod:`masthead.members.csvio`), and never over a
  later choice made here (a withdrawal after that time stands). ``offers_consent``
  false never withdraws a consent given on this site.
* **No re-subscribing.** Someone who unsubscribed here stays unsubscribed; the import
  never unsubscribes anyone either.
* **All or nothing.** Rows are checked before this runs; the writes are one
  transaction, so an error part-way leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TypeVar

from django.db import connection, transaction
from django.utils import timezone

from masthead.members.csvio import MemberRow
from masthead.members.models import MemberRecord
from masthead.newsletters.models import (
    ConsentEvent,
    Newsletter,
    OffersConsent,
    Subscriber,
    Subscription,
)

BATCH = 2000  # rows per INSERT/SELECT
EVENT_COLUMNS = [
    "subscriber_id",
    "email",
    "action",
    "newsletter_id",
    "newsletter_name",
    "source",
    "ip_hash",
    "created_at",
]
T = TypeVar("T")


@dataclass
class ImportResult:
    """Counts of what an import did (or would do, for a dry run)."""

    rows: int = 0
    members_created: int = 0
    members_updated: int = 0
    subscribers_created: int = 0
    subscriptions_created: int = 0
    subscriptions_confirmed: int = 0
    kept_unsubscribed: int = 0
    offers_turned_on: int = 0
    consent_events: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, int | bool]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _chunks(items: list[T], size: int = BATCH) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(model: type, columns: list[str], values: list[tuple]) -> None:
    """Insert ``values`` (tuples in ``columns`` order, attribute names) into ``model``'s
    table: with PostgreSQL's ``COPY`` (no per-row model objects or SQL; what makes
    100,000 members a matter of seconds), else with ``bulk_create``."""
    if not values:
        return
    if connection.vendor == "postgresql":
        from psycopg import sql

        query = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(model._meta.db_table),
            sql.SQL(", ").join(sql.Identifier(model._meta.get_field(c).column) for c in columns),
        )
        with connection.cursor() as cursor, cursor.copy(query) as copy:
            for row in values:
                copy.write_row(row)
        return
    model.objects.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in values], batch_size=BATCH
    )


def _update_by_email(
    model: type, columns: list[str], values: list[tuple], required: dict[str, object]
) -> None:
    """Set ``columns`` (after the first, ``email``) of existing rows matched by email:
    on PostgreSQL one ``UPDATE ... FROM`` a temporary table filled with ``COPY``;
    elsewhere an upsert, whose insert half needs the ``required`` values (never
    written to an existing row)."""
    if not values:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**required, **dict(zip(columns, row, strict=True))) for row in values],
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["email"],
            update_fields=columns[1:],
        )
        return
    from psycopg import sql

    table = sql.Identifier(model._meta.db_table)
    names = [sql.Identifier(model._meta.get_field(c).column) for c in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL(
                "CREATE TEMPORARY TABLE masthead_member_update ON COMMIT DROP AS "
                "SELECT {} FROM {} WITH NO DATA"
            ).format(sql.SQL(", ").join(names), table)
        )
        query = sql.SQL("COPY masthead_member_update ({}) FROM STDIN").format(
            sql.SQL(", ").join(names)
        )
        with cursor.copy(query) as copy:
            for row in values:
                copy.write_row(row)
        cursor.execute(
            sql.SQL(
                "UPDATE {} AS m SET {} FROM masthead_member_update AS u WHERE m.{} = u.{}"
            ).format(
                table,
                sql.SQL(", ").join(sql.SQL("{} = u.{}").format(n, n) for n in names[1:]),
                names[0],
                names[0],
            )
        )
        cursor.execute("DROP TABLE masthead_member_update")


def _existing_emails(model: type, emails: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(emails):
        found.update(model.objects.filter(email__in=chunk).values_list("email", "pk"))
    return found


def import_members(
    rows: Iterable[MemberRow], source: str, *, dry_run: bool = False
) -> ImportResult:
    """Write ``rows`` (all already checked) as the module documentation says."""
    rows = list(rows)
    source_label = f"import:{source}"[:60]
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    now = timezone.now()
    with transaction.atomic():
        _members(rows, source_label, now, result)
        subscribers = _subscribers(rows, now, result)
        events: list[tuple] = []
        _subscriptions(rows, subscribers, source_label, events, result)
        _offers(rows, subscribers, source_label, events, result)
        # The consent log is append-only (ConsentEvent.save inserts only); rows go in as
        # plain inserts here.
        _insert(ConsentEvent, EVENT_COLUMNS, events)
        result.consent_events = len(events)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _members(rows: list[MemberRow], source: str, now: datetime, result: ImportResult) -> None:
    existing = _existing_emails(MemberRecord, [r.email for r in rows])
    result.members_updated = len(existing)
    result.members_created = len(rows) - len(existing)
    _insert(
        MemberRecord,
        [
            "email",
            "name",
            "note",
            "labels",
            "complimentary_plan",
            "created_at",
            "source",
            "imported_at",
        ],
        [
            (r.email, r.name, r.note, r.labels, r.complimentary, r.created_at, source, now)
            for r in rows
            if r.email not in existing
        ],
    )
    _update_by_email(
        MemberRecord,
        ["email", "name", "note", "labels", "complimentary_plan", "source", "imported_at"],
        [
            (r.email, r.name, r.note, r.labels, r.complimentary, source, now)
            for r in rows
            if r.email in existing
        ],
        {"created_at": now},
    )


def _subscribers(rows: list[MemberRow], now: datetime, result: ImportResult) -> dict[str, int]:
    """Subscriber ids of the rows that subscribe or give offers consent (created when
    missing; an unconfirmed one is confirmed: the file vouches for the address)."""
    wanted = [r for r in rows if r.subscribed or r.offers]
    existing = _existing_emails(Subscriber, [r.email for r in wanted])
    new = [(r.email, now, r.offers_at or r.created_at) for r in wanted if r.email not in existing]
    ids = list(existing.values())
    for chunk in _chunks(ids):
        Subscriber.objects.filter(pk__in=chunk, confirmed_at__isnull=True).update(confirmed_at=now)
    _insert(Subscriber, ["email", "created_at", "confirmed_at"], new)
    result.subscribers_created = len(new)
    if new:
        existing.update(_existing_emails(Subscriber, [row[0] for row in new]))
    return existing


def _subscriptions(
    rows: list[MemberRow],
    subscribers: dict[str, int],
    source: str,
    events: list[tuple],
    result: ImportResult,
) -> None:
    lists = {n.slug: n for n in Newsletter.objects.all()}
    defaults = [n for n in lists.values() if n.active and not n.is_offers]
    wanted = [r for r in rows if r.subscribed]
    status: dict[tuple[int, int], tuple[int, str]] = {}
    for chunk in _chunks([subscribers[r.email] for r in wanted]):
        for pk, sub, letter, state in Subscription.objects.filter(
            subscriber_id__in=chunk
        ).values_list("pk", "subscriber_id", "newsletter_id", "status"):
            status[(sub, letter)] = (pk, state)
    new: list[tuple] = []
    confirm: list[int] = []
    now = timezone.now()
    for r in wanted:
        sub = subscribers[r.email]
        for letter in [lists[s] for s in r.newsletters] or defaults:
            pk, state = status.get((sub, letter.pk), (None, None))
            if state == Subscription.Status.CONFIRMED:
                continue
            if state == Subscription.Status.UNSUBSCRIBED:
                result.kept_unsubscribed += 1
                continue
            if state == Subscription.Status.PENDING:
                confirm.append(pk)  # type: ignore[arg-type]
            else:
                new.append(
                    (sub, letter.pk, Subscription.Status.CONFIRMED.value, now, r.created_at, source)
                )
                status[(sub, letter.pk)] = (0, Subscription.Status.CONFIRMED)
            events.append(
                (
                    sub,
                    r.email,
                    ConsentEvent.Action.SUBSCRIBED.value,
                    letter.pk,
                    letter.name,
                    source,
                    "",
                    r.created_at,
                )
            )
    _insert(
        Subscription,
        ["subscriber_id", "newsletter_id", "status", "created_at", "confirmed_at", "source"],
        new,
    )
    for chunk in _chunks(confirm):
        Subscription.objects.filter(pk__in=chunk).update(
            status=Subscription.Status.CONFIRMED, confirmed_at=timezone.now()
        )
    result.subscriptions_created = len(new)
    result.subscriptions_confirmed = len(confirm)


def _offers(
    rows: list[MemberRow],
    subscribers: dict[str, int],
    source: str,
    events: list[tuple],
    result: ImportResult,
) -> None:
    wanted = [r for r in rows if r.offers and r.offers_at is not None]
    current: dict[int, OffersConsent] = {}
    for chunk in _chunks([subscribers[r.email] for r in wanted]):
        current.update(
            (c.subscriber_id, c)
            for c in OffersConsent.objects.filter(subscriber_id__in=chunk).only(
                "pk", "subscriber_id", "granted", "changed_at"
            )
        )
    new: list[tuple] = []
    turn_on: list[OffersConsent] = []
    for r in wanted:
        sub = subscribers[r.email]
        label = r.offers_source or source
        consent = current.get(sub)
        if consent is None:
            new.append((sub, True, r.offers_at, label))
        elif not consent.granted and consent.changed_at < r.offers_at:  # type: ignore[operator]
            consent.granted, consent.changed_at, consent.source = True, r.offers_at, label
            turn_on.append(consent)
        else:
            continue  # already on, or withdrawn here after that consent
        events.append(
            (sub, r.email, ConsentEvent.Action.OFFERS_ON.value, None, "", label, "", r.offers_at)
        )
    _insert(OffersConsent, ["subscriber_id", "granted", "changed_at", "source"], new)
    OffersConsent.objects.bulk_update(
        turn_on, ["granted", "changed_at", "source"], batch_size=BATCH
    )
    result.offers_turned_on = len(new) + len(turn_on)
