"""Moderation services: the engine's context from the database, member actions, bulk
comment decisions, word lists, thresholds and the decision log.

Views, the admin and other apps call these functions; every state change here writes a
:class:`~masthead.moderation.models.ModerationDecision` (issue 4: "a decision log (who,
when, what, why) that is never deleted").

Errors: member and word functions raise :class:`ModerationError` (a ``ValueError``) with
a message fit to show a moderator for bad input (suspension in the past, empty word...).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from masthead.comments.models import Comment, CommentStatus
from masthead.moderation.guidelines.base import CheckContext, ReasonCode, Verdict
from masthead.moderation.guidelines.masking import story_names
from masthead.moderation.models import (
    DecisionAction,
    MemberState,
    MemberStatus,
    ModerationDecision,
    ModerationSettings,
    ModerationWord,
    WordKind,
    normalise_word,
)

logger = logging.getLogger(__name__)

#: How many of the author's latest comments feed the REPEAT_POST rule.
RECENT_TEXTS = 10
#: At most this many other commenters' names are passed for the PERSONAL_ATTACK rule.
THREAD_NAMES_LIMIT = 200
#: Cache key of the word lists; deleted whenever a ModerationWord changes.
WORDS_CACHE_KEY = "moderation:word-lists:v1"
WORDS_CACHE_SECONDS = 600
#: Longest word or phrase a moderator may add (matches ModerationWord.word).
MAX_WORD_LENGTH = 100


class ModerationError(ValueError):
    """Bad input to a moderation action; ``str(error)`` is a message for the moderator."""


# --- Reading: word lists, thresholds, member status ---------------------------------------


def word_lists() -> dict[str, tuple[str, ...]]:
    """Return ``{"banned": (...), "suspect": (...)}`` of normalised words, cached.

    The cache entry is dropped on every ModerationWord save/delete (see ``signals.py``),
    so the next check sees a change at once.
    """
    lists = cache.get(WORDS_CACHE_KEY)
    if lists is None:
        banned: list[str] = []
        suspect: list[str] = []
        for kind, word in ModerationWord.objects.values_list("kind", "normalised"):
            (banned if kind == WordKind.BANNED else suspect).append(word)
        lists = {"banned": tuple(banned), "suspect": tuple(suspect)}
        cache.set(WORDS_CACHE_KEY, lists, WORDS_CACHE_SECONDS)
    return lists


def invalidate_word_lists() -> None:
    """Drop the cached word lists now and again when the current transaction commits."""
    cache.delete(WORDS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(WORDS_CACHE_KEY))


def thresholds_for(story: Any | None = None) -> ModerationSettings:
    """The :class:`ModerationSettings` of ``story``'s site (or the default site).

    Returns an unsaved instance with the model defaults when there is no site at all.
    """
    from wagtail.models import Site

    site = story.get_site() if story is not None else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return ModerationSettings()
    return ModerationSettings.for_site(site)


def member_status(user: AbstractBaseUser) -> MemberStatus:
    """The user's :class:`MemberStatus`, an unsaved ``normal`` one when they have none."""
    try:
        return MemberStatus.objects.get(user=user)
    except MemberStatus.DoesNotExist:
        return MemberStatus(user=user)


def display_name(user: AbstractBaseUser | None) -> str:
    """The name shown for ``user`` (full name, else username, else email); "" for None."""
    if user is None:
        return ""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return (full or user.get_username() or getattr(user, "email", "") or "").strip()


def is_new_member(user: AbstractBaseUser, conf: ModerationSettings, now: datetime) -> bool:
    """True while ``user`` has fewer than ``conf.new_member_comments`` published comments or
    joined less than ``conf.new_member_days`` days before ``now`` (a 0 switches a test off)."""
    if conf.new_member_days and getattr(user, "date_joined", None):
        if now - user.date_joined < timedelta(days=conf.new_member_days):
            return True
    if conf.new_member_comments:
        published = Comment.objects.filter(author=user, status=CommentStatus.PUBLISHED).count()
        if published < conf.new_member_comments:
            return True
    return False


def build_check_context(
    author: AbstractBaseUser | None,
    story: Any,
    parent: Comment | None = None,
    *,
    now: datetime | None = None,
) -> CheckContext:
    """Fill the engine's :class:`CheckContext` for a comment by ``author`` on ``story``.

    Reads: the author's :class:`MemberStatus`; the word lists (cached); the site's
    :class:`ModerationSettings`; seconds since the author's last comment (any status);
    comments since midnight in the site time zone (``settings.TIME_ZONE``); the author's
    last ``RECENT_TEXTS`` comment bodies; other commenters' names on the story (the
    thread; ``parent``'s author first when replying); the story's byline names.
    ``author=None`` (anonymous) gets only the site-wide parts.
    """
    now = now or timezone.now()
    conf = thresholds_for(story)
    words = word_lists()
    ctx = CheckContext(
        banned_words=words["banned"],
        suspect_words=words["suspect"],
        abuse_reject_score=conf.abuse_reject_score,
        abuse_hold_score=conf.abuse_hold_score,
        max_links=conf.max_links,
        language_confidence=conf.language_confidence,
        max_length=conf.max_length,
        now=now,
        premod_new_members=conf.premoderate_new_members,
        min_seconds_between_comments=conf.min_seconds_between_comments,
        new_member_daily_limit=conf.new_member_daily_limit,
        story_author_names=tuple(story.authors.values_list("name", flat=True)) if story else (),
        story_names=story_names(story.title, getattr(story, "standfirst", "")) if story else (),
    )

    # Other commenters in the thread (the reply's parent author first).
    names: list[str] = []
    own = display_name(author)
    if parent is not None and parent.author_name:
        names.append(parent.author_name)
    if story is not None:
        qs = Comment.objects.filter(story=story).exclude(author_name="")
        if author is not None:
            qs = qs.exclude(author=author)
        for name in qs.values_list("author_name", flat=True).distinct()[:THREAD_NAMES_LIMIT]:
            if name not in names:
                names.append(name)
    ctx.thread_names = tuple(n for n in names if n and n != own)

    if author is None:
        return ctx

    status = member_status(author)
    ctx.author_banned = status.state == MemberState.BANNED
    if status.state == MemberState.SUSPENDED and status.suspended_until:
        ctx.author_suspended_until = status.suspended_until
    ctx.author_premoderated = status.state == MemberState.PREMODERATED
    ctx.author_is_new_member = is_new_member(author, conf, now)

    mine = Comment.objects.filter(author=author)
    # An attempt refused for posting too fast is kept (the writer's text is never lost)
    # but is no post: it neither restarts the wait nor makes the retry a repeat post.
    posts = [
        (body, created)
        for body, created, status, verdict in mine.order_by("-created_at").values_list(
            "body", "created_at", "status", "verdict"
        )[: RECENT_TEXTS * 3]
        if not _refused_for_rate(status, verdict)
    ]
    last = posts[0][1] if posts else None
    ctx.seconds_since_last_comment = (now - last).total_seconds() if last else None
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    ctx.comments_today = mine.filter(created_at__gte=midnight).count()
    ctx.recent_texts = tuple(body for body, _created in posts[:RECENT_TEXTS])
    return ctx


def _refused_for_rate(status: str, verdict: Any) -> bool:
    """A stored comment the guideline check refused for posting too fast (``verdict`` is
    the stored :meth:`Verdict.to_json` dict)."""
    if status != CommentStatus.REJECTED or not isinstance(verdict, dict):
        return False
    return ReasonCode.RATE_LIMIT.value in (verdict.get("reasons") or ())


def engine_check(text: str, ctx: CheckContext) -> Verdict:
    """Run the guideline engine (``pipeline.check_comment``). Tests monkeypatch this."""
    from masthead.moderation.guidelines.pipeline import check_comment

    return check_comment(text, ctx)


def check_text(
    text: str, author: AbstractBaseUser | None, story: Any, parent: Comment | None = None
) -> Verdict:
    """Check ``text`` by ``author`` on ``story`` against the guidelines and member status.

    Returns the engine's :class:`Verdict` (``decision`` PUBLISH/HOLD/REJECT, ``reasons``,
    ``message`` for the writer). Nothing is saved.
    """
    return engine_check(text, build_check_context(author, story, parent))


# --- The decision log ------------------------------------------------------------------------


def _verdict_dict(verdict: Verdict | dict[str, Any] | None) -> dict[str, Any]:
    if verdict is None:
        return {}
    if isinstance(verdict, dict):
        return verdict
    return verdict.to_dict()


def log_decision(
    actor: AbstractBaseUser | None = None,
    action: str = "",
    comment: Comment | None = None,
    user: AbstractBaseUser | None = None,
    reason: str = "",
    verdict: Verdict | dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    *,
    moderator: AbstractBaseUser | None = None,
    note: str | None = None,
) -> ModerationDecision:
    """Append one entry to the decision log and return it.

    ``action`` is a :class:`DecisionAction` value (raises ``ModerationError`` otherwise).
    ``verdict`` defaults to the comment's stored verdict. ``user`` defaults to the
    comment's author. Text snapshots of the actor, user and comment are kept so the
    entry survives their deletion. ``moderator``/``note`` are accepted as other names
    for ``actor``/``reason`` (the comments app's ``actions._log_decision`` uses them).
    """
    if actor is None and moderator is not None:
        actor = moderator
    if note is not None and not reason:
        reason = note
    if action not in DecisionAction.values:
        raise ModerationError(f"Unknown moderation action {action!r}.")
    if user is None and comment is not None:
        user = comment.author
    if verdict is None and comment is not None:
        verdict = comment.verdict or None
    user_name = display_name(user)
    if not user_name and comment is not None:
        user_name = comment.author_name
    return ModerationDecision.objects.create(
        actor=actor,
        actor_name=display_name(actor),
        action=action,
        comment=comment,
        comment_text=comment.body if comment is not None else "",
        user=user,
        user_name=user_name,
        reason=reason or "",
        verdict=_verdict_dict(verdict),
        details=details or {},
    )


# --- Member actions --------------------------------------------------------------------------


def _set_state(
    user: AbstractBaseUser,
    actor: AbstractBaseUser | None,
    action: str,
    state: str,
    reason: str,
    until: datetime | None = None,
) -> MemberStatus:
    with transaction.atomic():
        status, _ = MemberStatus.objects.select_for_update().get_or_create(user=user)
        status.state = state
        status.suspended_until = until
        status.reason = reason
        status.updated_by = actor
        status.save()
        details = {"state": state}
        if until is not None:
            details["until"] = until.isoformat()
        log_decision(actor, action, user=user, reason=reason, details=details)
    return status


def warn_member(
    user: AbstractBaseUser, reason: str, actor: AbstractBaseUser | None
) -> MemberStatus:
    """Record a warning against ``user`` (``warnings`` + 1); the state does not change."""
    with transaction.atomic():
        status, _ = MemberStatus.objects.select_for_update().get_or_create(user=user)
        status.warnings += 1
        status.updated_by = actor
        if reason:
            status.reason = reason
        status.save()
        log_decision(
            actor,
            DecisionAction.WARN,
            user=user,
            reason=reason,
            details={"warnings": status.warnings},
        )
    return status


def suspend_member(
    user: AbstractBaseUser, until: datetime, reason: str, actor: AbstractBaseUser | None
) -> MemberStatus:
    """Suspend ``user`` until the aware datetime ``until`` (they cannot post before it).

    Raises ModerationError when ``until`` is naive or not in the future.
    """
    if until is None or timezone.is_naive(until):
        raise ModerationError("Give the suspension's end as a date and time with a time zone.")
    if until <= timezone.now():
        raise ModerationError("A suspension must end in the future.")
    return _set_state(user, actor, DecisionAction.SUSPEND, MemberState.SUSPENDED, reason, until)


def ban_member(user: AbstractBaseUser, reason: str, actor: AbstractBaseUser | None) -> MemberStatus:
    """Ban ``user``: every comment they try to post is rejected (BANNED_USER)."""
    return _set_state(user, actor, DecisionAction.BAN, MemberState.BANNED, reason)


def set_premoderation(
    user: AbstractBaseUser, reason: str, actor: AbstractBaseUser | None
) -> MemberStatus:
    """Put ``user`` on pre-moderation: every comment goes to the queue (PREMOD_USER)."""
    return _set_state(user, actor, DecisionAction.PREMOD, MemberState.PREMODERATED, reason)


def lift_restrictions(
    user: AbstractBaseUser, reason: str, actor: AbstractBaseUser | None
) -> MemberStatus:
    """Return ``user`` to ``normal`` (ends a ban, suspension or pre-moderation)."""
    return _set_state(user, actor, DecisionAction.UNBAN, MemberState.NORMAL, reason)


# --- Comment decisions (many at once) -----------------------------------------------------


APPROVABLE = (CommentStatus.PENDING, CommentStatus.REJECTED, CommentStatus.SPAM)
REJECTABLE = (CommentStatus.PENDING, CommentStatus.PUBLISHED, CommentStatus.SPAM)


def report_model() -> Any | None:
    """The comments app's ``Report`` model (comment, reporter, reason, resolved_at) or None."""
    from django.apps import apps

    try:
        return apps.get_model("comments", "Report")
    except LookupError:
        return None


def open_reports_q() -> Q | None:
    """A ``Comment`` filter for "has at least one unresolved report", or None when the
    comments app has no ``Report`` model with ``resolved_at``."""
    report = report_model()
    if report is None or not any(f.name == "resolved_at" for f in report._meta.get_fields()):
        return None
    name = report._meta.get_field("comment").related_query_name()
    return Q(**{f"{name}__id__isnull": False, f"{name}__resolved_at__isnull": True})


def _comment_ids(comments: Iterable[Comment | int]) -> list[int]:
    return [c.pk if isinstance(c, Comment) else int(c) for c in comments]


def _comment_actions() -> Any | None:
    """The comments app's ``actions`` module when it provides approve/reject, else None."""
    try:
        from masthead.comments import actions  # type: ignore[attr-defined]
    except ImportError:
        return None
    if hasattr(actions, "approve_comment") and hasattr(actions, "reject_comment"):
        return actions
    return None


def _decide(
    comments: Iterable[Comment | int],
    actor: AbstractBaseUser | None,
    reason: str,
    *,
    action: str,
    from_statuses: Sequence[str],
    to_status: str,
) -> list[Comment]:
    ids = _comment_ids(comments)
    changed: list[Comment] = []
    actions = _comment_actions()
    wanted = Q(status__in=from_statuses)
    open_reports = open_reports_q()
    if action == DecisionAction.APPROVE and open_reports is not None:
        # Approving a reported, already published comment keeps it and clears its reports.
        wanted |= Q(status=CommentStatus.PUBLISHED) & open_reports
    with transaction.atomic():
        pks = Comment.objects.filter(wanted, pk__in=ids).values_list("pk", flat=True).distinct()
        qs = Comment.objects.select_for_update().filter(pk__in=list(pks)).order_by("pk")
        for comment in qs:
            if actions is not None:
                # The comments app changes the status, resolves open reports and calls
                # log_decision itself (one entry per comment).
                fn = (
                    actions.approve_comment
                    if action == DecisionAction.APPROVE
                    else actions.reject_comment
                )
                fn(comment, actor, reason)
                comment.refresh_from_db()
            else:
                comment.status = to_status
                comment.save(update_fields=["status"])
                log_decision(actor, action, comment=comment, reason=reason)
            changed.append(comment)
    return changed


def approve(
    comments: Iterable[Comment | int], actor: AbstractBaseUser | None, reason: str = ""
) -> list[Comment]:
    """Publish the given comments (instances or ids) that are pending, rejected or spam.

    Others (already published, deleted by their author, unknown ids) are skipped. Returns
    the comments changed; one log entry each. All or nothing (one transaction).
    """
    return _decide(
        comments,
        actor,
        reason,
        action=DecisionAction.APPROVE,
        from_statuses=APPROVABLE,
        to_status=CommentStatus.PUBLISHED,
    )


def reject(
    comments: Iterable[Comment | int], actor: AbstractBaseUser | None, reason: str = ""
) -> list[Comment]:
    """Reject the given comments (instances or ids) that are pending, published or spam.

    Others are skipped. Returns the comments changed; one log entry each.
    """
    return _decide(
        comments,
        actor,
        reason,
        action=DecisionAction.REJECT,
        from_statuses=REJECTABLE,
        to_status=CommentStatus.REJECTED,
    )


# --- Word lists and thresholds ----------------------------------------------------------------


def add_word(
    word: str, kind: str, actor: AbstractBaseUser | None, reason: str = ""
) -> ModerationWord:
    """Add ``word`` (a word or short phrase) to the ``kind`` list ("banned"/"suspect").

    Raises ModerationError for an empty or over-long word, an unknown kind, or a word
    already on that list.
    """
    if kind not in WordKind.values:
        raise ModerationError(f"Unknown list {kind!r}; use 'banned' or 'suspect'.")
    word = (word or "").strip()
    if not normalise_word(word):
        raise ModerationError("Type a word or phrase to add.")
    if len(word) > MAX_WORD_LENGTH:
        raise ModerationError(f"A word or phrase can be at most {MAX_WORD_LENGTH} characters long.")
    try:
        with transaction.atomic():
            entry = ModerationWord.objects.create(word=word, kind=kind, added_by=actor)
            log_decision(
                actor,
                DecisionAction.WORD_ADDED,
                reason=reason,
                details={"word": word, "kind": kind},
            )
    except IntegrityError as exc:
        raise ModerationError(f"“{word}” is already on the {kind} list.") from exc
    return entry


def remove_word(
    entry: ModerationWord | int, actor: AbstractBaseUser | None, reason: str = ""
) -> None:
    """Remove a word from its list. Raises ModerationError when it is not on any list."""
    pk = entry.pk if isinstance(entry, ModerationWord) else int(entry)
    with transaction.atomic():
        found = ModerationWord.objects.select_for_update().filter(pk=pk).first()
        if found is None:
            raise ModerationError("That word is no longer on the list.")
        details = {"word": found.word, "kind": found.kind}
        found.delete()
        log_decision(actor, DecisionAction.WORD_REMOVED, reason=reason, details=details)


def update_thresholds(
    conf: ModerationSettings,
    changes: dict[str, Any],
    actor: AbstractBaseUser | None,
    reason: str = "",
) -> ModerationSettings:
    """Apply ``changes`` (field → value, fields from ``THRESHOLD_FIELDS``) and log the
    before/after values of the fields that changed. Validates with ``full_clean``
    (raises ``django.core.exceptions.ValidationError``). No log entry when nothing changed.
    """
    unknown = set(changes) - set(ModerationSettings.THRESHOLD_FIELDS)
    if unknown:
        raise ModerationError(f"Unknown threshold(s): {', '.join(sorted(unknown))}.")
    before = conf.snapshot()
    for name, value in changes.items():
        setattr(conf, name, value)
    conf.full_clean()
    after = conf.snapshot()
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not diff:
        return conf
    with transaction.atomic():
        conf._moderation_logged = True  # tells signals.py not to log it again
        conf.save()
        log_decision(
            actor, DecisionAction.THRESHOLD_CHANGED, reason=reason, details={"changed": diff}
        )
    return conf


def get_user(pk: int) -> AbstractBaseUser | None:
    """The user with primary key ``pk`` or None."""
    return get_user_model().objects.filter(pk=pk).first()
