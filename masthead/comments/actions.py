"""The one writer of comments, reactions and reports (check-then-do, as in Ghost's
comments service and Zulip's ``check_*``/``do_*`` actions).

Every function returns a result object whose ``message`` is meant for the person
who acted and whose ``http_status`` the views use; nothing is dropped silently:
a post is either stored (published, pending or rejected) or refused with a reason.

Guideline verdicts (``masthead.moderation.guidelines``) map to statuses:
PUBLISH → ``published``, HOLD → ``pending`` (moderation queue), REJECT → stored as
``rejected`` (moderators can see it) and the writer is told what to change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from masthead.comments.models import Comment, CommentStatus, Reaction, Report, ReportReason
from masthead.comments.moderation_adapter import check_comment_text
from masthead.comments.services import clean_body, display_name, thread_state
from masthead.comments.signals import comment_status_changed
from masthead.core.page_cache import content_changed
from masthead.moderation.guidelines.base import Decision, Verdict

logger = logging.getLogger(__name__)

PUBLISHED, PENDING, REJECTED, INVALID = "published", "pending", "rejected", "invalid"

MESSAGES = {
    PUBLISHED: "Your comment is published.",
    PENDING: (
        "Thank you. Your comment is awaiting review by a moderator and will appear once approved."
    ),
    REJECTED: (
        "Your comment does not meet our community guidelines yet. "
        "Please change it and post it again."
    ),
}

# Invalid-input codes → HTTP status (400 bad input, 403 not allowed, 404 gone).
_CODE_STATUS = {
    "closed": 403,
    "not_member": 403,
    "unverified": 403,
    "subscribers_only": 403,
    "not_yours": 403,
    "edit_window": 403,
    "own_comment": 403,
    "not_found": 404,
}


@dataclass(slots=True)
class PostResult:
    """Outcome of :func:`post_comment` / :func:`edit_comment`.

    Attributes:
        comment: the stored (or, for a double submit, the earlier) comment; None when
            nothing was stored (``status == "invalid"``, or an edit the guidelines refused).
        verdict: the guideline verdict, None when the check did not run.
        status: ``published`` | ``pending`` | ``rejected`` | ``invalid``.
        message: text for the writer (always set).
        code: machine code for ``invalid``: empty, too_long, control_chars, closed,
            not_member, unverified, bad_parent, too_deep, not_yours, edit_window.
        body: the text to put back into the form when the writer must change it.
        duplicate: True when a double submit returned the earlier comment.
        notes: extra remarks (e.g. hidden characters were removed).
        retry_after: seconds to wait when refused only for posting too fast or over the
            day's cap (answered 429 with ``Retry-After``); None otherwise.
    """

    comment: Comment | None
    verdict: Verdict | None
    status: str
    message: str
    code: str = ""
    body: str = ""
    duplicate: bool = False
    notes: list[str] = field(default_factory=list)
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        """True when the comment is stored and on its way to readers (published or pending)."""
        return self.status in (PUBLISHED, PENDING)

    @property
    def http_status(self) -> int:
        """201 new, 200 duplicate/edit, 202 pending, 429 too fast, 422 guidelines refused,
        400/403 invalid."""
        if self.status == INVALID:
            return _CODE_STATUS.get(self.code, 400)
        if self.status == REJECTED and self.retry_after is not None:
            return 429
        if self.status == REJECTED:
            return 422
        if self.status == PENDING:
            return 202
        return 200 if self.duplicate else 201

    @property
    def full_message(self) -> str:
        """``message`` followed by any notes."""
        return " ".join([self.message, *self.notes]).strip()


@dataclass(slots=True)
class ActionResult:
    """Outcome of delete/react/report/moderation actions: ``ok``, ``message``, ``http_status``."""

    ok: bool
    message: str
    http_status: int = 200
    data: dict[str, Any] = field(default_factory=dict)


def _invalid(code: str, message: str, body: str = "", comment: Comment | None = None) -> PostResult:
    return PostResult(
        comment=comment, verdict=None, status=INVALID, message=message, code=code, body=body
    )


def member_can_comment(user: Any) -> tuple[bool, str, str]:
    """Return (allowed, code, message): signed in, active, with a verified email (allauth)."""
    from allauth.account.models import EmailAddress

    if user is None or not user.is_authenticated:
        return False, "not_member", "Please sign in to comment."
    if not user.is_active:
        return False, "not_member", "This account cannot comment."
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        return (
            False,
            "unverified",
            "Please confirm your email address before you comment (see your account's email page).",
        )
    return True, "", ""


def can_comment_on(user: Any, story: Any) -> tuple[bool, str, str]:
    """Return (allowed, code, message) for ``user`` commenting on ``story``: the rules of
    :func:`member_can_comment`, and on a subscribers-only story the reader must be
    entitled to read it (a subscriber, or staff): code ``subscribers_only``."""
    allowed, code, message = member_can_comment(user)
    if not allowed:
        return allowed, code, message
    from masthead.articles.models import AccessLevel, effective_access_level
    from masthead.metering.services import has_active_subscription

    level = effective_access_level(getattr(story, "access_level", None))
    if level == AccessLevel.SUBSCRIBERS and not (
        user.is_staff or user.is_superuser or has_active_subscription(user)
    ):
        return False, "subscribers_only", "Only subscribers can comment on this story."
    return True, "", ""


def _check_text(raw: str) -> tuple[str, list[str], PostResult | None]:
    """Clean ``raw``; return (text, notes, invalid-result-or-None)."""
    cleaned = clean_body(raw or "")
    notes = []
    if cleaned.hidden_removed:
        notes.append(
            f"We removed {cleaned.hidden_removed} invisible formatting character"
            f"{'s' if cleaned.hidden_removed != 1 else ''} (zero-width or right-to-left marks)."
        )
    if cleaned.control_chars:
        return (
            cleaned.text,
            notes,
            _invalid(
                "control_chars",
                "Your comment contains invisible control characters, which we have taken "
                "out of the text below. Please check it and post again.",
                cleaned.text,
            ),
        )
    if not cleaned.text:
        return (
            cleaned.text,
            notes,
            _invalid("empty", "Your comment is empty. Please write something before posting."),
        )
    limit = settings.MASTHEAD_COMMENTS_MAX_LENGTH
    n = len(cleaned.text)
    if n > limit:
        return (
            cleaned.text,
            notes,
            _invalid(
                "too_long",
                f"Your comment is {n:,} characters long; the limit is {limit:,}. "
                f"Please shorten it by {n - limit:,} character{'' if n - limit == 1 else 's'}.",
                cleaned.text,
            ),
        )
    return cleaned.text, notes, None


_RATE_REASONS = frozenset({"RATE_LIMIT", "DAILY_LIMIT"})


def _refused_for_rate(verdict: Verdict) -> bool:
    """Whether the guidelines refused a post only for its rate (too fast, day's cap)."""
    reasons = {str(getattr(r, "value", r)) for r in verdict.reasons}
    return bool(reasons) and reasons <= _RATE_REASONS


def _retry_after(verdict: Verdict) -> int | None:
    """Seconds to wait when ``verdict`` refused a post only for its rate, else None.

    Too fast: the rule's ``wait_seconds``; over the day's cap: until local midnight.
    """
    if not _refused_for_rate(verdict):
        return None
    for result in verdict.results:
        wait = result.details.get("wait_seconds")
        if wait:
            return max(1, int(wait))
    now = timezone.localtime()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - now).total_seconds()))


def _status_for(verdict: Verdict) -> str:
    return {Decision.PUBLISH: PUBLISHED, Decision.HOLD: PENDING}.get(verdict.decision, REJECTED)


def _message_for(status: str, verdict: Verdict | None) -> str:
    extra = verdict.message if verdict is not None else ""
    if status == REJECTED:
        return extra or MESSAGES[REJECTED]
    if status == PENDING:
        return MESSAGES[PENDING]
    return MESSAGES[PUBLISHED]


def _result_for_existing(comment: Comment, notes: list[str]) -> PostResult:
    verdict = Verdict.from_dict(comment.verdict) if comment.verdict.get("results") else None
    status = comment.status if comment.status in (PUBLISHED, PENDING, REJECTED) else PUBLISHED
    return PostResult(
        comment=comment,
        verdict=verdict,
        status=status,
        message=_message_for(status, verdict),
        body=comment.body if status == REJECTED else "",
        duplicate=True,
        notes=notes,
    )


def post_comment(
    author: Any,
    story: Any,
    body: str,
    parent: Comment | None = None,
    idempotency_key: str | None = None,
) -> PostResult:
    """Check and store a new comment (or reply to ``parent``) by ``author`` on ``story``.

    Rules, in order: member with a verified email (and a subscriber or staff on a
    subscribers-only story: :func:`can_comment_on`); ``parent`` belongs to ``story``,
    is published and is shallower than ``MASTHEAD_COMMENTS_MAX_DEPTH``; the thread is
    open (:func:`~masthead.comments.services.thread_state`); the text is not empty,
    holds no control characters and is at most ``MASTHEAD_COMMENTS_MAX_LENGTH``
    characters after hidden characters are removed; a resubmitted form nonce
    (``idempotency_key``) or the same text within
    ``MASTHEAD_COMMENTS_DUPLICATE_WINDOW_SECONDS`` returns the earlier comment;
    then the guideline check decides the status. Never raises for bad input.
    """
    allowed, code, message = can_comment_on(author, story)
    if not allowed:
        return _invalid(code, message, body or "")
    if parent is not None:
        if parent.story_id != story.pk:
            return _invalid(
                "bad_parent", "You can only reply to a comment on this story.", body or ""
            )
        if parent.status != CommentStatus.PUBLISHED:
            return _invalid(
                "bad_parent",
                "The comment you replied to is no longer available, so your reply was not posted.",
                body or "",
            )
        if parent.depth + 1 >= settings.MASTHEAD_COMMENTS_MAX_DEPTH:
            return _invalid(
                "too_deep",
                "This conversation is as deep as it goes; please reply to an earlier comment.",
                body or "",
            )
    state = thread_state(story)
    if not state.open:
        return _invalid("closed", state.reason, body or "")
    text, notes, problem = _check_text(body)
    if problem is not None:
        problem.notes = notes
        return problem
    key = (idempotency_key or "").strip()[:64]
    if key:
        earlier = Comment.objects.filter(author=author, idempotency_key=key).first()
        if earlier is not None:
            if (
                earlier.story_id == story.pk
                and earlier.parent_id == (parent.pk if parent else None)
                and earlier.body == text
            ):
                return _result_for_existing(earlier, notes)
            # The same nonce on a different comment (a reused or forged form): this is
            # not a double submit, so the new comment is posted without the key.
            key = ""
    window = timezone.now() - timedelta(seconds=settings.MASTHEAD_COMMENTS_DUPLICATE_WINDOW_SECONDS)
    same = (
        Comment.objects.filter(
            author=author, story=story, parent=parent, body=text, created_at__gte=window
        )
        .exclude(status=CommentStatus.DELETED)
        .order_by("-created_at")
        .first()
    )
    verdict = None
    if same is not None and same.status == REJECTED:
        # A refused attempt sent again is checked afresh (the writer may have waited out a
        # rate limit): still refused -> the earlier row answers (nothing stored twice) with
        # today's reason; accepted now -> it is posted below.
        verdict = check_comment_text(text, author, story, parent)
        if _status_for(verdict) == REJECTED:
            return PostResult(
                comment=same,
                verdict=verdict,
                status=REJECTED,
                message=_message_for(REJECTED, verdict),
                body=text,
                notes=notes,
                duplicate=True,
                retry_after=_retry_after(verdict),
            )
    elif same is not None:
        return _result_for_existing(same, notes)

    if verdict is None:
        verdict = check_comment_text(text, author, story, parent)
    status = _status_for(verdict)
    if status == REJECTED and _refused_for_rate(verdict):
        # Too fast or over the day's cap says nothing about the text: the writer gets the
        # refusal and the text back, and nothing is stored, so one member firing 100 posts
        # in 5 s does not add 100 rows to the moderation queue.
        return PostResult(
            comment=None,
            verdict=verdict,
            status=REJECTED,
            message=_message_for(REJECTED, verdict),
            body=text,
            notes=notes,
            retry_after=_retry_after(verdict),
        )
    comment = Comment(
        story=story,
        parent=parent,
        author=author,
        author_name=display_name(author),
        body=text,
        status=status,
        created_at=timezone.now(),
        verdict=verdict.to_dict(),
        depth=parent.depth + 1 if parent else 0,
        idempotency_key=key if status != REJECTED else "",
    )
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:
        earlier = (
            Comment.objects.filter(author=author, idempotency_key=key).first() if key else None
        )
        if earlier is None:
            raise
        return _result_for_existing(earlier, notes)
    return PostResult(
        comment=comment,
        verdict=verdict,
        status=status,
        message=_message_for(status, verdict),
        body=text if status == REJECTED else "",
        notes=notes,
    )


def edit_window_message() -> str:
    """The message shown when the edit window has passed."""
    minutes = settings.MASTHEAD_COMMENTS_EDIT_WINDOW_MINUTES
    return f"Comments can be edited for {minutes} minutes after posting; that time has passed."


def can_edit(user: Any, comment: Comment, now: Any = None) -> bool:
    """True when ``user`` wrote ``comment``, it is published or pending, and the edit
    window (``MASTHEAD_COMMENTS_EDIT_WINDOW_MINUTES`` after posting) is still open."""
    if user is None or not user.is_authenticated or comment.author_id != user.pk:
        return False
    if comment.status not in (CommentStatus.PUBLISHED, CommentStatus.PENDING):
        return False
    now = now or timezone.now()
    return now <= comment.created_at + timedelta(
        minutes=settings.MASTHEAD_COMMENTS_EDIT_WINDOW_MINUTES
    )


def edit_comment(user: Any, comment: Comment, body: str) -> PostResult:
    """Replace the text of ``user``'s own ``comment`` within the edit window.

    The new text passes the same checks as a new comment. A REJECT verdict leaves
    the stored comment unchanged and returns the writer's new text with the
    message; HOLD makes it pending; PUBLISH publishes it.
    """
    if comment.author_id is None or user is None or comment.author_id != getattr(user, "pk", None):
        return _invalid("not_yours", "You can only edit your own comments.", body or "")
    if comment.status not in (CommentStatus.PUBLISHED, CommentStatus.PENDING):
        return _invalid("not_yours", "This comment can no longer be edited.", body or "")
    if not can_edit(user, comment):
        return _invalid("edit_window", edit_window_message(), body or "")
    state = thread_state(comment.story)
    if not state.open:
        return _invalid("closed", state.reason, body or "")
    text, notes, problem = _check_text(body)
    if problem is not None:
        problem.notes = notes
        return problem
    if text == comment.body:
        return PostResult(comment, None, comment.status, "Nothing changed.", notes=notes)
    verdict = check_comment_text(text, user, comment.story, comment.parent)
    status = _status_for(verdict)
    if status == REJECTED:
        return PostResult(
            None, verdict, REJECTED, _message_for(REJECTED, verdict), body=text, notes=notes
        )
    comment.body = text
    comment.status = status
    comment.verdict = verdict.to_dict()
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "status", "verdict", "edited_at"])
    message = "Your change is saved." if status == PUBLISHED else MESSAGES[PENDING]
    return PostResult(comment, verdict, status, message, notes=notes)


def delete_own_comment(user: Any, comment: Comment) -> ActionResult:
    """Mark ``user``'s own comment deleted; replies keep their place under a placeholder.

    The row and its text stay (moderators may still need them for reports); readers
    see "This comment was deleted by its author." Deleting twice is a no-op.
    """
    if comment.author_id is None or comment.author_id != getattr(user, "pk", None):
        return ActionResult(False, "You can only delete your own comments.", 403)
    if comment.status == CommentStatus.DELETED:
        return ActionResult(True, "This comment was already deleted.")
    Comment.objects.filter(pk=comment.pk).update(status=CommentStatus.DELETED)
    comment.status = CommentStatus.DELETED
    content_changed([comment.author_id], [comment.story_id])
    comment_status_changed.send(sender=Comment, comment=comment)
    return ActionResult(True, "Your comment is deleted.")


def react(user: Any, comment: Comment, value: int) -> ActionResult:
    """Like (+1), dislike (-1) or clear (0) ``comment`` for ``user``.

    One reaction per member per comment (database constraint). Each request states
    the reaction the member wants (the page's buttons send ``clear`` for a pressed
    one), so sending the same value twice -- a double click, a resubmitted form --
    leaves it as it is instead of toggling it off. Counts on the comment change
    with ``F()`` updates in the same transaction. ``data`` carries
    ``{"like_count", "dislike_count", "value"}``.
    """
    allowed, _code, message = can_comment_on(user, comment.story)
    if not allowed:
        return ActionResult(False, message, 403)
    if value not in (Reaction.LIKE, Reaction.DISLIKE, 0):
        return ActionResult(False, "Choose like or dislike.", 400)
    if comment.status != CommentStatus.PUBLISHED:
        return ActionResult(False, "This comment is not available.", 404)
    if comment.author_id == user.pk:
        return ActionResult(False, "You cannot react to your own comment.", 403)

    def bump(v: int, delta: int) -> None:
        column = "like_count" if v == Reaction.LIKE else "dislike_count"
        qs = Comment.objects.filter(pk=comment.pk)
        if delta < 0:
            qs = qs.filter(**{f"{column}__gt": 0})
        qs.update(**{column: F(column) + delta})
        content_changed((), [comment.story_id])  # counts are on cached pages

    with transaction.atomic():
        existing = Reaction.objects.select_for_update().filter(comment=comment, user=user).first()
        new_value = value
        if existing is None:
            if value:
                try:
                    with transaction.atomic():
                        Reaction.objects.create(comment=comment, user=user, value=value)
                except IntegrityError:  # a concurrent click won the race: keep its reaction
                    new_value = Reaction.objects.get(comment=comment, user=user).value
                else:
                    bump(value, +1)
        elif existing.value == value:
            pass  # already so: the same intent again changes nothing
        elif value == 0:
            existing.delete()
            bump(existing.value, -1)
            new_value = 0
        else:
            bump(existing.value, -1)
            bump(value, +1)
            existing.value = value
            existing.save(update_fields=["value", "created_at"])
    comment.refresh_from_db(fields=["like_count", "dislike_count"])
    data = {
        "like_count": comment.like_count,
        "dislike_count": comment.dislike_count,
        "value": new_value,
    }
    label = {
        1: "You like this comment.",
        -1: "You dislike this comment.",
        0: "Your reaction is removed.",
    }
    return ActionResult(True, label[new_value], 200, data)


def report_comment(user: Any, comment: Comment, reason: str, note: str = "") -> ActionResult:
    """Record ``user``'s report of ``comment`` for ``reason`` (a :class:`ReportReason` value).

    One report per member per comment; a second report says so and stores nothing.
    Open reports put the comment in the moderation queue.
    """
    if user is None or not user.is_authenticated:
        return ActionResult(False, "Please sign in to report a comment.", 403)
    if reason not in ReportReason.values:
        return ActionResult(False, "Please choose a reason for your report.", 400)
    if comment.status != CommentStatus.PUBLISHED:
        return ActionResult(False, "This comment is not available.", 404)
    if comment.author_id == user.pk:
        return ActionResult(
            False, "You cannot report your own comment; you can edit or delete it instead.", 403
        )
    note = clean_body(note or "").text[:1000]
    try:
        with transaction.atomic():
            Report.objects.create(comment=comment, reporter=user, reason=reason, note=note)
    except IntegrityError:
        return ActionResult(
            True, "You have already reported this comment. Our moderators will look at it.", 200
        )
    return ActionResult(True, "Thank you. Our moderators will review this comment.", 201)


# --- moderator decisions (called by the moderation queue) -------------------------------


def _log_decision(comment: Comment, moderator: Any, action: str, note: str) -> None:
    """The single call site of the moderation decision log (modqueue's ``log_decision``)."""
    import importlib

    try:
        services = importlib.import_module("masthead.moderation.services")
    except ModuleNotFoundError:
        services = None
    log = getattr(services, "log_decision", None)
    if log is None:
        logger.info(
            "moderation decision %s on comment %s by %s: %s", action, comment.pk, moderator, note
        )
        return
    log(comment=comment, moderator=moderator, action=action, note=note)


def _decide(comment: Comment, moderator: Any, status: str, action: str, note: str) -> ActionResult:
    with transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(status=status)
        comment.status = status
        content_changed([comment.author_id], [comment.story_id])
        comment_status_changed.send(sender=Comment, comment=comment)
        Report.objects.open().filter(comment=comment).update(
            resolved_at=timezone.now(), resolved_by=moderator
        )
        _log_decision(comment, moderator, action, note)
    return ActionResult(True, f"Comment {action}d.")


def approve_comment(comment: Comment, moderator: Any, note: str = "") -> ActionResult:
    """Publish ``comment`` (from the queue), resolve its open reports and log the decision."""
    return _decide(comment, moderator, CommentStatus.PUBLISHED, "approve", note)


def reject_comment(comment: Comment, moderator: Any, note: str = "") -> ActionResult:
    """Hide ``comment`` as rejected, resolve its open reports and log the decision."""
    return _decide(comment, moderator, CommentStatus.REJECTED, "reject", note)
