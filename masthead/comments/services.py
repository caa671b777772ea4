"""Read-side helpers for comments: is a thread open, the thread tree, counts, text cleaning.

Writes live in :mod:`masthead.comments.actions` (the one writer).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q
from django.utils import timezone

from masthead.articles.models import CommentsMode
from masthead.comments.models import Comment, CommentSettings, CommentStatus, Reaction

# --- text -------------------------------------------------------------------------------

#: Invisible characters removed before a comment is checked or stored: zero-width
#: space/non-joiner, LRM/RLM, bidi embeddings/overrides/isolates, word joiner and
#: invisible operators, BOM, soft hyphen, Mongolian vowel separator, CGJ (Unicode
#: Default_Ignorable_Code_Point, UAX #44; the same set the guideline engine drops).
#: ZERO WIDTH JOINER (U+200D) and variation selectors stay: emoji sequences need them.
HIDDEN_CHARS = frozenset(
    [chr(c) for c in (0x200B, 0x200C, 0x200E, 0x200F)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2060, 0x206A)]
    + ["\ufeff", "\u00ad", "\u180e", "\u034f"]
)
_HIDDEN_TABLE = {ord(c): None for c in HIDDEN_CHARS}
_MANY_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


@dataclass(frozen=True, slots=True)
class CleanText:
    """Result of :func:`clean_body`.

    Attributes:
        text: what will be checked and stored: newlines normalised to ``\\n``,
            hidden characters removed, outer whitespace stripped, runs of blank
            lines collapsed to one.
        hidden_removed: how many hidden characters were removed.
        control_chars: how many control characters (Unicode Cc other than TAB/LF/CR)
            the raw text held; they are removed from ``text`` but make the post invalid.
    """

    text: str
    hidden_removed: int
    control_chars: int


def clean_body(raw: str) -> CleanText:
    """Normalise a comment as typed into the form (see :class:`CleanText`)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    without_hidden = text.translate(_HIDDEN_TABLE)
    hidden = len(text) - len(without_hidden)
    controls = sum(
        1 for ch in without_hidden if ch not in "\t\n" and unicodedata.category(ch) == "Cc"
    )
    if controls:
        without_hidden = "".join(
            ch for ch in without_hidden if ch in "\t\n" or unicodedata.category(ch) != "Cc"
        )
    text = _TRAILING_SPACE.sub("\n", without_hidden).strip()
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return CleanText(text=text, hidden_removed=hidden, control_chars=controls)


def chosen_name(user: Any) -> str:
    """The name a member goes by: the display name chosen on the account page, else their
    full name, else ``""``. Never the username, which allauth derives from the email."""
    from masthead.accounts.models import Profile

    try:
        chosen = user.profile.display_name
    except (Profile.DoesNotExist, AttributeError):
        chosen = ""
    return (chosen or "").strip() or (user.get_full_name() or "").strip()


def display_name(user: Any) -> str:
    """Public name on comments: :func:`chosen_name`, else ``Reader <id>``."""
    return (chosen_name(user) or f"Reader {user.pk}")[:150]


# --- thread windows --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThreadState:
    """Whether a story takes new comments now, and if not, why (text for readers)."""

    open: bool
    reason: str = ""
    closes_at: datetime | None = None


def parse_quiet_hours(value: str) -> tuple[time, time] | None:
    """Parse ``"HH:MM-HH:MM"`` (24-hour, may wrap midnight) into (start, end); "" → None.

    Raises ImproperlyConfigured for anything else (checked at start-up by
    :func:`masthead.comments.apps.check_settings`).
    """
    value = (value or "").strip()
    if not value:
        return None
    m = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", value)
    if not m:
        raise ImproperlyConfigured(
            f"MASTHEAD_COMMENTS_QUIET_HOURS must look like 00:00-06:00, not {value!r}"
        )
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    try:
        start, end = time(h1, m1), time(h2, m2)
    except ValueError:
        raise ImproperlyConfigured(
            f"MASTHEAD_COMMENTS_QUIET_HOURS has an impossible time: {value!r}"
        ) from None
    if start == end:
        raise ImproperlyConfigured("MASTHEAD_COMMENTS_QUIET_HOURS start and end must differ")
    return start, end


def in_quiet_hours(now: datetime, window: tuple[time, time] | None) -> bool:
    """True when ``now`` (aware; compared in the site time zone) is inside ``[start, end)``."""
    if window is None:
        return False
    start, end = window
    local = timezone.localtime(now).time().replace(second=0, microsecond=0)
    if start < end:
        return start <= local < end
    return local >= start or local < end  # wraps midnight


def site_comment_settings(story: Any) -> CommentSettings | None:
    """The Wagtail site setting for ``story``'s site (None if the story has no site)."""
    site = story.get_site()
    return CommentSettings.for_site(site) if site else None


def window_closes_at(story: Any) -> datetime | None:
    """When ``story``'s thread closes by time, or ``None`` when it never does.

    The story's comment setting (its admin settings tab) decides: "Keep open" closes at
    its ``comments_open_until`` (never when empty); the site default closes
    ``MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS`` after publication (never when 0). A closed
    story is handled by :func:`thread_state` before the time is asked.
    """
    if story.comments_mode == CommentsMode.OPEN:
        return story.comments_open_until
    days = settings.MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS
    published = story.display_published
    if days and published:
        return published + timedelta(days=days)
    return None


def _closed_by_time_reason(story: Any) -> str:
    if story.comments_mode == CommentsMode.OPEN:
        return "Comments on this story are now closed."
    days = settings.MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS
    return f"Comments closed {days} days after this story was published."


def thread_state(story: Any, now: datetime | None = None) -> ThreadState:
    """Decide whether ``story`` takes new comments and replies at ``now``.

    The one place that says "closed". Checked in this order: the story's own setting
    (``comments_mode`` "closed"), the site switch and closed sections (Settings →
    Comments), the story's time window (:func:`window_closes_at`: the site's
    ``MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS`` or the story's "Keep open" time), and quiet
    hours (``MASTHEAD_COMMENTS_QUIET_HOURS`` in the site time zone).
    """
    now = now or timezone.now()
    if story.comments_mode == CommentsMode.CLOSED:
        return ThreadState(False, "Comments are closed on this story.")
    site_settings = site_comment_settings(story)
    if site_settings is not None:
        if not site_settings.comments_enabled:
            return ThreadState(False, "Commenting is switched off on this site for now.")
        if (
            site_settings.pk
            and site_settings.closed_sections.filter(pk=story.get_parent().pk).exists()
        ):
            return ThreadState(False, "Comments are closed on stories in this section.")
    closes_at = window_closes_at(story)
    if closes_at is not None and now >= closes_at:
        return ThreadState(False, _closed_by_time_reason(story))
    window = parse_quiet_hours(settings.MASTHEAD_COMMENTS_QUIET_HOURS)
    if in_quiet_hours(now, window):
        start, end = window  # type: ignore[misc]
        return ThreadState(
            False,
            f"Commenting pauses between {start:%H:%M} and {end:%H:%M} "
            f"({timezone.get_current_timezone_name()}), "
            f"when no moderator is on duty. Please come back after {end:%H:%M}.",
            closes_at,
        )
    return ThreadState(True, "", closes_at)


def anonymous_thread_key(request: Any, story: Any, now: datetime | None = None) -> str:
    """What an anonymous reader's view of ``story``'s thread depends on besides the
    story's comment stamp (:mod:`masthead.core.fragments`): sort, comment page, and
    whether the thread has closed by age or is in quiet hours at ``now`` (both change
    with the clock, not with a save). Unknown sorts count as the default; the page
    number is cut to 12 characters.
    """
    now = now or timezone.now()
    sort = request.GET.get("sort", DEFAULT_SORT) if request is not None else DEFAULT_SORT
    if sort not in SORTS:
        sort = DEFAULT_SORT
    cpage = (request.GET.get("cpage") or "1")[:12] if request is not None else "1"
    closes_at = window_closes_at(story)
    aged = bool(closes_at is not None and now >= closes_at)
    quiet = bool(in_quiet_hours(now, parse_quiet_hours(settings.MASTHEAD_COMMENTS_QUIET_HOURS)))
    return f"{sort}:{cpage}:{int(aged)}:{int(quiet)}"


# --- reading threads -------------------------------------------------------------------

SORTS = {"newest": "Newest first", "oldest": "Oldest first", "liked": "Most liked"}
DEFAULT_SORT = "oldest"


@dataclass(slots=True)
class Node:
    """A comment in the rendered tree.

    ``visible`` is False for a placeholder (deleted, rejected, spam or another
    member's pending comment kept because it has visible replies): its body must
    never be shown. ``own_pending`` marks the viewer's own comment awaiting review.
    """

    comment: Comment
    visible: bool
    children: list[Node] = field(default_factory=list)
    own_pending: bool = False
    my_reaction: int = 0

    @property
    def placeholder_text(self) -> str:
        """What readers see instead of a hidden comment's text."""
        if self.comment.status == CommentStatus.DELETED:
            return "This comment was deleted by its author."
        return "This comment was removed by a moderator."


def build_thread(
    story: Any, viewer: Any = None, sort: str = DEFAULT_SORT
) -> tuple[list[Node], int]:
    """Return (top-level nodes in ``sort`` order with replies oldest first, published count).

    Two queries (comments of the story, the viewer's reactions). Hidden comments
    appear only as placeholders, and only when a visible reply hangs under them.
    """
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    comments = list(Comment.objects.filter(story=story).order_by("created_at", "id"))
    nodes: dict[int, Node] = {}
    for c in comments:
        own_pending = (
            viewer_id is not None and c.author_id == viewer_id and c.status == CommentStatus.PENDING
        )
        nodes[c.pk] = Node(
            c, visible=c.status == CommentStatus.PUBLISHED or own_pending, own_pending=own_pending
        )
    roots: list[Node] = []
    for c in comments:
        node = nodes[c.pk]
        parent = nodes.get(c.parent_id) if c.parent_id else None
        (parent.children if parent else roots).append(node)

    def prune(items: list[Node]) -> list[Node]:
        kept = []
        for n in items:
            n.children = prune(n.children)
            if n.visible or n.children:
                kept.append(n)
        return kept

    roots = prune(roots)
    if sort == "newest":
        roots.sort(key=lambda n: (n.comment.created_at, n.comment.pk), reverse=True)
    elif sort == "liked":
        roots.sort(key=lambda n: (-n.comment.like_count if n.visible else 1, n.comment.created_at))
    if viewer_id is not None and nodes:
        mine = dict(
            Reaction.objects.filter(user_id=viewer_id, comment__story=story).values_list(
                "comment_id", "value"
            )
        )
        for cid, value in mine.items():
            if cid in nodes:
                nodes[cid].my_reaction = value
    published = sum(1 for c in comments if c.status == CommentStatus.PUBLISHED)
    return roots, published


def comment_counts(story_ids: Iterable[int]) -> dict[int, int]:
    """Published comment count per story id, in one query (missing ids have 0)."""
    ids = list({i for i in story_ids if i})
    if not ids:
        return {}
    rows = (
        Comment.objects.filter(story_id__in=ids)
        .values("story_id")
        .annotate(n=Count("id", filter=Q(status=CommentStatus.PUBLISHED)))
    )
    return {r["story_id"]: r["n"] for r in rows}


def annotate_comment_counts(stories: Iterable[Any]) -> None:
    """Set ``story.comment_count`` on every story in ``stories`` with one query."""
    stories = list(stories)
    counts = comment_counts(s.pk for s in stories)
    for s in stories:
        s.comment_count = counts.get(s.pk, 0)
