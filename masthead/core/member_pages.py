"""Story pages for signed-in members from cached variants, with their own parts filled in.

A member's story page differs from another member's with the same entitlement only
in a few places: the account links (name, sign-out form), the save button, the meter
line, CSRF tokens and comment-form nonces. When Django renders a story for a member,
:class:`MemberPageMiddleware` stores a *member variant*: the page with those places
turned into slots (:func:`generalize`). The next member whose entitlement has the same
shape gets that variant with their own parts rendered into it (:func:`fill`): one
cache round trip for the pointer and the member's snapshot, the meter decision
(:mod:`masthead.metering.services`), two small template renders, and Django's own
session, authentication and CSRF handling around it.

Correct by construction:

* the variant is named after the entitlement's shape (``m:<kind>:<full|leadin:reason>:<month>``),
  never after the member; the body never holds a member's name, email, username,
  CSRF token or nonce (:func:`generalize` refuses to store otherwise);
* only members whose thread looks like every other member's are served this way:
  not staff, allowed to comment, and with no comment, reaction or report of their
  own on that story (their *snapshot*, :func:`member_snapshot`, cached for
  :data:`SNAPSHOT_TTL` seconds and dropped whenever one of those rows, their
  subscription, email addresses or saved stories change);
* requests with pending messages, and anything not found, go to Django unchanged.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import escape

from masthead.core.page_cache import (
    SHARED_TTL,
    cacheable_query,
    local_get,
    polled_version,
    stamped_variant_key,
    storable_headers,
    story_page_key,
    story_pointer,
)
from masthead.metering.purpose import is_prefetch

SNAPSHOT_TTL = 60  # seconds; bounds what a change without a signal (bulk update) can leave
SNAPSHOT_PREFIX = "masthead:member-snapshot:"
CSRF_SLOT = "--masthead-csrf-slot--"
NONCE_SLOT = "--masthead-nonce-slot--"
NAV_SLOT = "<!--m:nav--><!--/m:nav-->"
SAVE_SLOT = "<!--m:save--><!--/m:save-->"
_NAV_RE = re.compile(r"<!--m:nav-->.*?<!--/m:nav-->", re.S)
_SAVE_RE = re.compile(r"<!--m:save-->.*?<!--/m:save-->", re.S)
_CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
_NONCE_RE = re.compile(r'name="nonce" value="([^"]*)"')


@dataclass(frozen=True)
class MemberSnapshot:
    """What decides whether a member can share a variant, and their saved state.

    ``kind``: ``member`` or ``subscriber`` (``staff`` is never served from variants);
    ``can_post``: may comment; ``interacted``: story ids where the member has a comment,
    reaction or report; ``saved``: story ids on their reading list; ``name``: the name
    the member chose on the account page, else their full name, else ``""`` (the
    header then shows their email address); ``subscribed_until``: for a subscriber whose
    subscriptions all end, the latest end (POSIX seconds); past it the snapshot is stale
    (:func:`is_stale`), as an end passing sends no signal; ``nav``: the header's account
    links rendered for this member with the CSRF slot (:func:`fill` puts them in, so a
    member's first page in each app process needs no template render).
    """

    kind: str
    can_post: bool
    interacted: frozenset[int]
    saved: frozenset[int]
    name: str = ""
    subscribed_until: float | None = None
    nav: str = ""


def is_stale(snap: MemberSnapshot, now: Any = None) -> bool:
    """True when ``snap`` says subscriber but its subscriptions have ended by ``now``
    (an aware datetime; default now)."""
    if snap.subscribed_until is None:
        return False
    return (now or timezone.now()).timestamp() >= snap.subscribed_until


def snapshot_key(user_id: int) -> str:
    """Cache key of a member's snapshot."""
    return f"{SNAPSHOT_PREFIX}{user_id}"


def build_snapshot(user: Any) -> MemberSnapshot:
    """Read a member's snapshot from the database (six small queries)."""
    from masthead.comments.actions import member_can_comment
    from masthead.comments.models import Comment, Reaction, Report
    from masthead.metering.services import MEMBER, SUBSCRIBER, subscription_entitlement
    from masthead.readinglist.models import SavedStory

    interacted = set(Comment.objects.filter(author=user).values_list("story_id", flat=True))
    interacted |= set(
        Reaction.objects.filter(user=user).values_list("comment__story_id", flat=True)
    )
    interacted |= set(
        Report.objects.filter(reporter=user).values_list("comment__story_id", flat=True)
    )
    from masthead.comments.services import chosen_name

    subscribed, until = subscription_entitlement(user)
    name = chosen_name(user)
    return MemberSnapshot(
        kind=SUBSCRIBER if subscribed else MEMBER,
        subscribed_until=until.timestamp() if until is not None else None,
        can_post=member_can_comment(user)[0],
        interacted=frozenset(interacted),
        saved=frozenset(SavedStory.objects.filter(user=user).values_list("story_id", flat=True)),
        name=name,
        nav=_render(
            "includes/account_nav.html",
            {
                "user": user,
                "request": None,
                "csrf_token": CSRF_SLOT,
                "member_name": name or user.email,
            },
        ),
    )


def member_snapshot(user: Any) -> MemberSnapshot:
    """The member's snapshot from the cache, built and stored when missing or stale."""
    snap = cache.get(snapshot_key(user.pk))
    if snap is None or is_stale(snap):
        snap = build_snapshot(user)
        cache.set(snapshot_key(user.pk), snap, SNAPSHOT_TTL)
    return snap


def forget_snapshot(user_id: int | None) -> None:
    """Drop a member's snapshot (called from signals when its inputs change)."""
    if user_id:
        cache.delete(snapshot_key(user_id))


def pointer_key(page: str) -> str:
    """Cache key of the member pointer of the page stored under page key ``page``."""
    return f"{page}:m"


def shape_of(entitlement: Any) -> str:
    """The variant name of a member entitlement (kind, full or lead-in and why, month)."""
    meter = entitlement.meter
    month = meter.period_start.isoformat() if meter is not None else ""
    return f"m:{entitlement.reader_kind}:{entitlement.cut}:{month}"


def eligible(user: Any, story_id: int, snap: MemberSnapshot | None = None) -> MemberSnapshot | None:
    """The member's snapshot if they may share variants of story ``story_id``, else ``None``.

    ``snap``: the snapshot when already read from the cache (else, or when it is stale,
    it is read or built here).
    """
    if not getattr(user, "is_authenticated", False) or user.is_staff or user.is_superuser:
        return None
    snap = snap if snap is not None and not is_stale(snap) else member_snapshot(user)
    if not snap.can_post or story_id in snap.interacted:
        return None
    return snap


def generalize(body: str, user: Any) -> str | None:
    """The page ``body`` rendered for ``user`` with every member-specific part made a slot.

    Returns ``None`` (do not store) unless there is exactly one account-links region and
    one save region, and nothing identifying the member is left in the result. A page
    that already holds a slot's text (a reader can write ``--masthead-csrf-slot--`` in
    a comment: it survives HTML escaping) is never stored either, or :func:`fill` would
    put each reader's CSRF token where that reader wrote it, a link to another site
    included.
    """
    if CSRF_SLOT in body or NONCE_SLOT in body:
        return None
    if len(_NAV_RE.findall(body)) != 1 or len(_SAVE_RE.findall(body)) != 1:
        return None
    tokens = set(_CSRF_RE.findall(body))
    out = _NAV_RE.sub(NAV_SLOT, body)
    out = _SAVE_RE.sub(SAVE_SLOT, out)
    out = _CSRF_RE.sub(f'name="csrfmiddlewaretoken" value="{CSRF_SLOT}"', out)
    out = _NONCE_RE.sub(f'name="nonce" value="{NONCE_SLOT}"', out)
    identifying = {t for t in tokens if t}
    for value in (
        user.get_username(),
        user.email,
        user.get_full_name(),
        member_snapshot(user).name,
    ):
        if value and len(value) >= 3:
            identifying |= {value, escape(value)}
    lowered = out.lower()
    if any(v.lower() in lowered for v in identifying):
        return None
    return out


def _render(name: str, context: dict[str, Any]) -> str:
    return get_template(name).template.render(Context(context))


_parts: dict[tuple[Any, ...], str] = {}


def _keep(key: tuple[Any, ...], html: str) -> str:
    if len(_parts) >= 4096:
        _parts.clear()
    _parts[key] = html
    return html


def fill(body: str, request: HttpRequest, story: Any, snap: MemberSnapshot, meter_line: str) -> str:
    """A stored member variant with ``request``'s member rendered into its slots."""
    from masthead.metering.services import METER_SLOT

    token = get_token(request)
    user = request.user
    request._masthead_saved_ids = set(snap.saved)
    # Both parts are rendered with the CSRF slot: the account links come with the
    # snapshot; the save form is kept per process under everything it shows (the story,
    # its saved state and the path).
    context = {
        "user": user,
        "request": request,
        "csrf_token": CSRF_SLOT,
        "story": story,
        "member_name": snap.name or user.email,
    }
    # (A snapshot stored by an earlier release has no links: rendered here, once.)
    nav = getattr(snap, "nav", "") or _render("includes/account_nav.html", context)
    saved_key = ("save", story.pk, story.pk in snap.saved, request.get_full_path())
    save = _parts.get(saved_key)
    if save is None:
        save = _keep(saved_key, _render("readinglist/save_form.html", context))
    out = body.replace(METER_SLOT, meter_line)
    out = out.replace(NAV_SLOT, f"<!--m:nav-->{nav}<!--/m:nav-->")
    out = out.replace(SAVE_SLOT, save)
    out = out.replace(CSRF_SLOT, token)
    parts = out.split(NONCE_SLOT)
    if len(parts) > 1:
        out = "".join(
            part + (secrets.token_urlsafe(18) if i < len(parts) - 1 else "")
            for i, part in enumerate(parts)
        )
    return out


@dataclass(frozen=True)
class _Story:
    """What the save-form template needs of a story."""

    pk: int
    title: str = ""


class MemberPageMiddleware:
    """Serve signed-in members' story pages from member variants (see module docs).

    Goes last in ``MIDDLEWARE``: Django's session, authentication, CSRF and security
    middleware run around it as for any view, and :class:`~masthead.metering.middleware.MeterMiddleware`
    marks its responses private.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.method != "GET"
            or is_prefetch(request.META)  # never counts: Django decides without counting
            or user is None
            or not user.is_authenticated
            or not cacheable_query(request.META.get("QUERY_STRING", ""))
        ):
            return self.get_response(request)
        if len(messages.get_messages(request)):
            return self.get_response(request)  # the page will show them: not shareable
        polled_version()  # a new content version empties this process's copies
        key = story_page_key(request.META)
        served = self._serve(request, key)
        if served is not None:
            return served
        response = self.get_response(request)
        variant = getattr(response, "_masthead_story_variant", None)
        if (
            variant is not None
            and variant.for_members
            and variant.stamps
            and response.status_code == 200
            and not set(response.cookies) - {settings.CSRF_COOKIE_NAME}
            and not getattr(response, "streaming", False)
        ):
            general = generalize(variant.body.decode(), user)
            if general is not None:
                cache.set_many(
                    {
                        pointer_key(key): (
                            variant.story_id,
                            variant.access_level,
                            variant.limit,
                            variant.stamps,
                        ),
                        stamped_variant_key(key, variant.stamps, variant.name): (
                            response.status_code,
                            storable_headers(response),
                            general,
                        ),
                    },
                    SHARED_TTL,
                )
        return response

    def _serve(self, request: HttpRequest, key: str) -> HttpResponse | None:
        return serve_member(request, request.user, key)


def member_keys(user_id: int, level: str, now: Any, extra_keys: tuple[str, ...] = ()) -> list[str]:
    """The cache keys :func:`serve_member` reads for member ``user_id`` on a story of
    access level ``level`` at ``now`` (an aware datetime): the member's snapshot, then
    ``extra_keys``, then for a metered story the member's meter mirror of that month."""
    from masthead.metering import services as m

    keys = [snapshot_key(user_id), *extra_keys]
    if level == "metered":
        keys.append(m.mirror_key(f"u:{user_id}", m.period_start(now)))
    return keys


def serve_member(
    request: HttpRequest,
    user: Any,
    key: str,
    *,
    extra_keys: tuple[str, ...] = (),
    found: dict[str, Any] | None = None,
    now: Any = None,
) -> HttpResponse | None:
    """The story page stored under page key ``key`` for signed-in ``user``, from a member
    variant with the member's own parts filled in, or ``None`` when it cannot be served
    that way (no variant yet, staff, a member who may not share it: see the module
    documentation). Used by :class:`MemberPageMiddleware` and by the edge cache.

    ``extra_keys``: cache keys the caller needs too, read in the same round trip; the
    call returns ``None`` unless every one of them is present. ``found`` and ``now``: a
    caller that already read :func:`member_keys` for ``user`` at ``now`` in one
    ``get_many`` of its own passes that result (absent keys are absent values), so no
    second round trip is made.
    """
    from masthead.metering import services as m

    if user.is_staff or user.is_superuser:
        return None
    pointer = story_pointer(pointer_key(key))
    if pointer is None:
        return None
    story_id, level, limit, stamps = pointer
    # The snapshot and, for a metered story, the meter mirror in one round trip.
    now = now or timezone.now()
    keys = member_keys(user.pk, level, now, extra_keys)
    mirror_key = keys[-1] if level == "metered" else None
    if found is None:
        found = cache.get_many(keys)
    if any(k not in found for k in extra_keys):
        return None
    snap = eligible(user, story_id, found.get(keys[0]))
    if snap is None:
        return None
    # The reader from the snapshot (no subscription query); decide_for answers free
    # stories and subscribers at once and re-reads from the meter mirror.
    if snap.kind == m.SUBSCRIBER:
        reader = m.Reader(m.SUBSCRIBER, None, 0, user.pk)
    else:
        reader = m.Reader(m.MEMBER, f"u:{user.pk}", limit, user.pk)
    mirror = found.get(mirror_key) if mirror_key else None
    entitlement = m.decide_for(
        reader,
        story_id,
        level,
        record=level == "metered",
        now=now,
        mirror=frozenset(mirror) if mirror is not None else None,
    )
    hit = local_get(stamped_variant_key(key, stamps, shape_of(entitlement)))
    if hit is None:
        return None  # Django renders (its decision agrees: counting is idempotent)
    status, headers, body = hit
    html = fill(body, request, _Story(story_id), snap, m.meter_html(entitlement))
    response = HttpResponse(html, status=status)
    for name, value in headers:
        response[name] = value
    response["X-Masthead-Cache"] = "member"
    request._masthead_reader_dependent = True
    return response


def connect_signals() -> None:
    """Drop a member's snapshot whenever one of its inputs changes (called from ``ready``)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    from masthead.comments.models import Comment, Reaction, Report
    from masthead.metering.models import Subscription
    from masthead.readinglist.models import SavedStory

    def by(attr: str) -> Callable[..., None]:
        def handler(sender: Any, instance: Any, **kwargs: Any) -> None:
            forget_snapshot(getattr(instance, attr, None))

        return handler

    from masthead.accounts.models import Profile

    for model, attr in (
        (Profile, "user_id"),
        (Comment, "author_id"),
        (Reaction, "user_id"),
        (Report, "reporter_id"),
        (SavedStory, "user_id"),
        (Subscription, "user_id"),
        (EmailAddress, "user_id"),
        (get_user_model(), "pk"),
    ):
        handler = by(attr)
        uid = f"masthead-member-snapshot-{model._meta.label}"
        post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid + "-save")
        post_delete.connect(handler, sender=model, weak=False, dispatch_uid=uid + "-delete")
