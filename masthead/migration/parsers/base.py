"""Shared record types, errors and helpers for the comment-export parsers.

The parsers in this package turn an old comment platform's export into a *stream*
of :class:`ImportedThread` and :class:`ImportedComment` records. They are pure
Python (no Django) so that the ``import_comments`` management command can be
built on top of them and they can be tested and benchmarked in isolation.

Stream contract shared by every parser (see ``masthead.migration.parsers``):

* every :class:`ImportedComment` is yielded *after* the :class:`ImportedThread`
  whose ``source_id`` equals its ``thread_source_id``;
* a comment's *parent* may be yielded after the comment (Disqus exports put
  replies before their parents), so the consumer must link parents in a second
  step (store ``parent_source_id``, resolve at the end);
* nothing is buffered beyond what that first rule needs, so memory stays flat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Literal

CommentKind = Literal["comment", "pingback", "trackback"]

#: Pragmatic syntax check for e-mail addresses (RFC 5321 ``Mailbox``, simplified):
#: one ``@``, no whitespace, a dot-separated domain with a non-empty label.
#: Deliverability is not checked; claiming-by-email verifies ownership anyway.
_EMAIL_RE = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+$")


@dataclass(frozen=True, slots=True)
class ImportedThread:
    """One discussion thread (usually one story/page) from an export.

    Attributes:
        source_id: the exporting platform's id for the thread (Disqus ``dsq:id``,
            WordPress ``wp:post_id``, CSV ``thread_id``). Never empty.
        url: the thread's page URL as found (not normalised), or ``""``.
            Use :func:`masthead.migration.urls.normalise_story_url` to match it.
        title: thread title as found, or ``""``.
        identifiers: other keys the old site used for this thread, in file order,
            de-duplicated (Disqus ``<id>``, WXR ``guid``/``wp:post_name``/
            ``dsq:thread_identifier``). Useful for an ``old,new`` mapping file.
        is_deleted: the platform marked the thread deleted (Disqus ``isDeleted``,
            WXR post status ``trash``). Its comments are *not* yielded.
        is_closed: commenting was closed.
        created_at: aware UTC datetime, or ``None`` if the export has none.
    """

    source_id: str
    url: str
    title: str
    identifiers: tuple[str, ...] = ()
    is_deleted: bool = False
    is_closed: bool = False
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ImportedComment:
    """One comment (or pingback/trackback) from an export.

    Attributes:
        source_id: the platform's comment id (Disqus ``dsq:id``, WXR
            ``comment_id``, CSV ``id``). Unique within one export file.
        thread_source_id: ``source_id`` of the thread it belongs to.
        parent_source_id: ``source_id`` of the comment it replies to, or ``None``.
            The parent may appear later in the stream, or be missing altogether.
        author_name: display name as found (stripped), may be ``""``.
        author_email: normalised with :func:`normalise_email` (stripped,
            lower-cased) or ``None`` when empty or syntactically invalid.
        author_url: commenter's website as found, or ``""``.
        author_username: platform user name (Disqus ``username``), or ``""``.
        created_at: aware datetime in UTC; ``None`` only when the export has no
            date for the comment (counted in :attr:`ParseStats.missing_dates`).
        html: the comment body *raw* as exported (HTML or plain text). Run it
            through :func:`masthead.migration.html.clean_comment_html` before storing.
        is_deleted: deleted on the old platform (kept so replies keep a parent).
        is_spam: marked spam on the old platform.
        is_approved: published on the old platform (``False`` = pending/held).
        kind: ``"comment"``, ``"pingback"`` or ``"trackback"``.
        ip: the commenter's IP address as exported, or ``""``.
    """

    source_id: str
    thread_source_id: str
    parent_source_id: str | None
    author_name: str
    author_email: str | None
    author_url: str
    author_username: str
    created_at: datetime | None
    html: str
    is_deleted: bool = False
    is_spam: bool = False
    is_approved: bool = True
    kind: CommentKind = "comment"
    ip: str = ""


Record = ImportedThread | ImportedComment


class ParseError(Exception):
    """An export file cannot be parsed (further).

    Always carries the 1-based ``line`` and ``column`` in the *original* file
    (junk skipped before ``<?xml`` is accounted for). ``column`` is ``0`` when
    only the line is known (a data error inside a well-formed XML element: the
    line is where that element starts).
    """

    def __init__(
        self, message: str, line: int, column: int, *, path: str = "", recoverable: bool = False
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.path = path
        #: ``--recover`` reads the file whole (the fault loses no data, e.g. an
        #: undeclared namespace prefix), so the error can say so
        self.recoverable = recoverable
        where = f"{path}:" if path else ""
        super().__init__(f"{where}{line}:{column}: {message}")


@dataclass(slots=True)
class ParseStats:
    """Mutable counters a parser fills in while it streams (pass one in to read them).

    ``warnings`` keeps the first :attr:`max_warnings` messages, each prefixed with
    ``line N:``; ``warnings_dropped`` counts the rest.
    """

    threads: int = 0
    comments: int = 0
    deleted_comments: int = 0
    spam_comments: int = 0
    unapproved_comments: int = 0
    pingbacks: int = 0
    trackbacks: int = 0
    deleted_threads: int = 0
    dropped_in_deleted_threads: int = 0
    dropped_orphans: int = 0
    dropped_no_id: int = 0
    invalid_emails: int = 0
    missing_dates: int = 0
    skipped_prefix_bytes: int = 0
    warnings: list[str] = field(default_factory=list)
    warnings_dropped: int = 0
    max_warnings: int = 1000

    def warn(self, message: str, line: int | None = None) -> None:
        """Record a warning (bounded list, see class doc)."""
        if len(self.warnings) >= self.max_warnings:
            self.warnings_dropped += 1
            return
        self.warnings.append(f"line {line}: {message}" if line else message)

    def count_comment(self, comment: ImportedComment) -> None:
        """Update the per-comment counters for one yielded comment."""
        self.comments += 1
        self.deleted_comments += comment.is_deleted
        self.spam_comments += comment.is_spam
        self.unapproved_comments += not comment.is_approved
        self.pingbacks += comment.kind == "pingback"
        self.trackbacks += comment.kind == "trackback"


def normalise_email(value: str | None) -> str | None:
    """Return ``value`` stripped and lower-cased, or ``None`` if empty or invalid.

    Lower-casing the local part is not strictly RFC 5321 (local parts are
    case-sensitive) but every mainstream provider treats them case-insensitively,
    and claiming-by-verified-email needs ``Reader@x`` and ``reader@x`` to match.
    """
    if not value:
        return None
    email = value.strip().lower()
    email = email.removeprefix("mailto:")
    if not email or len(email) > 254 or not _EMAIL_RE.match(email):
        return None
    return email


_TRUE = frozenset({"true", "1", "yes", "y", "t"})


def parse_bool(value: str | None) -> bool:
    """``"true"``/``"1"``/``"yes"`` (any case, stripped) -> ``True``; anything else ``False``."""
    return bool(value) and value.strip().lower() in _TRUE  # type: ignore[union-attr]


def parse_datetime(value: str, *, default_tz: tzinfo = UTC) -> datetime:
    """Parse an ISO 8601 / RFC 3339 / ``YYYY-MM-DD HH:MM:SS`` string to aware UTC.

    Naive values are taken to be in ``default_tz``. Raises ``ValueError``.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty date")
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=default_tz)
    return dt.astimezone(UTC)
