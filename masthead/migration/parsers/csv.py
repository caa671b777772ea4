"""Streaming parser for comments in a CSV file (for platforms with no XML export).

Layout (RFC 4180 CSV, UTF-8, optional BOM, one header row; column order free)::

    id,thread_id,thread_url,thread_title,parent_id,author_name,author_email,created_at,body,status

==============  ========  ==============================================================
column          required  meaning
==============  ========  ==============================================================
id              no        comment id, unique in the file (default: ``L<line>``, with a
                          warning: re-importing a changed file then duplicates comments)
thread_id       yes*      thread/story id (*or thread_url, which is then used as id)
thread_url      no        page URL of the thread
thread_title    no        title of the thread
parent_id       no        id of the comment replied to; empty or ``0`` = none
author_name     no        display name
author_email    no        e-mail (normalised; invalid -> empty)
author_url      no        commenter's website
author_username no        platform user name
ip              no        commenter's IP address
created_at      yes       ISO 8601 / RFC 3339, ``YYYY-MM-DD HH:MM[:SS]``, ``YYYY/MM/DD
                          HH:MM[:SS]``, ``YYYYMMDD``, RFC 2822 or Unix seconds; naive
                          values are in ``default_tz`` (UTC). Day-first/month-first
                          forms (``03/04/2012``) are ambiguous: pass ``date_format``.
body            yes       comment text/HTML
status          no        ``approved`` (default; also ``1``/``published``),
                          ``pending`` (``0``/``hold``), ``spam``, ``deleted`` (``trash``)
kind            no        ``comment`` (default), ``pingback``, ``trackback``
==============  ========  ==============================================================

Files that name columns differently are read with ``columns={"our": "theirs"}``,
e.g. from the CLI string ``id=comment_id,body=message`` via :func:`parse_column_map`.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from typing import BinaryIO, TextIO

from .base import (
    ImportedComment,
    ImportedThread,
    ParseError,
    ParseStats,
    Record,
    normalise_email,
    parse_datetime,
)

FIELDS = (
    "id",
    "thread_id",
    "thread_url",
    "thread_title",
    "parent_id",
    "author_name",
    "author_email",
    "author_url",
    "author_username",
    "ip",
    "created_at",
    "body",
    "status",
    "kind",
)
_STATUS = {
    "approved": "approved",
    "approve": "approved",
    "published": "approved",
    "1": "approved",
    "": "approved",
    "pending": "pending",
    "hold": "pending",
    "unapproved": "pending",
    "0": "pending",
    "spam": "spam",
    "deleted": "deleted",
    "trash": "deleted",
}
_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y%m%d",
)


def parse_column_map(spec: str) -> dict[str, str]:
    """Parse a CLI mapping ``"id=comment_id,body=message"`` to ``{"id": "comment_id", ...}``.

    Keys must be names from :data:`FIELDS`. Raises ``ValueError`` with the bad part.
    """
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        ours, sep, theirs = part.partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if not sep or not ours or not theirs:
            raise ValueError(
                f"column mapping {part!r} is not of the form our_name=their_name"
            )
        if ours not in FIELDS:
            raise ValueError(
                f"unknown column {ours!r} in mapping; known: {', '.join(FIELDS)}"
            )
        mapping[ours] = theirs
    return mapping


def parse_date(
    value: str, *, date_format: str | None = None, default_tz: tzinfo = UTC
) -> datetime:
    """Parse one CSV date (formats in the module doc) to an aware UTC datetime.

    Raises ``ValueError`` when no format matches.
    """
    text = value.strip()
    if date_format:
        dt = datetime.strptime(text, date_format)  # noqa: DTZ007 -- made aware below
        return (dt if dt.tzinfo else dt.replace(tzinfo=default_tz)).astimezone(UTC)
    if text.isdigit() and len(text) == 8:
        return (
            datetime.strptime(text, "%Y%m%d").replace(tzinfo=default_tz).astimezone(UTC)
        )
    if text.isdigit() and 9 <= len(text) <= 11:
        return datetime.fromtimestamp(int(text), UTC)
    try:
        return parse_datetime(text, default_tz=default_tz)
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return (
                datetime.strptime(text, fmt).replace(tzinfo=default_tz).astimezone(UTC)
            )
        except ValueError:
            continue
    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"unrecognised date {value!r}") from None
    return (dt if dt.tzinfo else dt.replace(tzinfo=default_tz)).astimezone(UTC)


def parse_csv(
    source: str | os.PathLike[str] | BinaryIO | TextIO,
    *,
    columns: Mapping[str, str] | None = None,
    stats: ParseStats | None = None,
    date_format: str | None = None,
    default_tz: tzinfo = UTC,
    delimiter: str = ",",
) -> Iterator[Record]:
    """Stream a comments CSV (layout in the module doc) as threads and comments.

    Args:
        source: path, binary file (decoded as UTF-8, BOM allowed) or text file
            opened with ``newline=""``.
        columns: ``{"our_name": "their_header"}`` for differently named columns;
            unmapped names are looked up under their own name.
        stats: optional :class:`ParseStats`.
        date_format: ``strptime`` format for ``created_at`` when automatic
            detection is not wanted (e.g. ``"%d/%m/%Y %H:%M"``).
        default_tz: zone of naive dates (default UTC).
        delimiter: field separator (``","``; ``";"`` or ``"\\t"`` for some tools).

    Yields:
        An ``ImportedThread`` the first time each ``thread_id`` appears, then
        comments in file order. Memory: the set of thread ids seen.

    Raises:
        ParseError: (line = physical line where the record starts, column = 1-based
            field number or 0) on a missing required column, a row whose field
            count differs from the header (e.g. a truncated last row), an
            unterminated quoted field, an invalid UTF-8 byte, a bad date or status,
            or an empty ``id``.
    """
    stats = stats if stats is not None else ParseStats()
    mapping = dict(columns or {})
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown column(s) in mapping: {', '.join(sorted(unknown))}")
    owned = isinstance(source, str | os.PathLike)
    name = os.fspath(source) if owned else getattr(source, "name", "<stream>")  # type: ignore[arg-type]
    if owned:
        text: TextIO = open(source, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]  # noqa: SIM115
    elif isinstance(source, io.TextIOBase):
        text = source  # type: ignore[assignment]
    else:
        text = codecs.getreader("utf-8-sig")(source)  # type: ignore[arg-type, assignment]
    try:
        yield from _parse(
            text, name, mapping, stats, date_format, default_tz, delimiter
        )
    except UnicodeDecodeError as exc:
        raise ParseError(f"not valid UTF-8: {exc.reason}", 0, 0, path=name) from None
    finally:
        if owned:
            text.close()


def _parse(
    text: TextIO,
    name: str,
    mapping: dict[str, str],
    stats: ParseStats,
    date_format: str | None,
    default_tz: tzinfo,
    delimiter: str,
) -> Iterator[Record]:
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ParseError("empty file: expected a header row", 1, 0, path=name) from None
    except csv.Error as exc:
        raise ParseError(f"bad header row: {exc}", 1, 0, path=name) from None
    header = [h.strip() for h in header]
    index: dict[str, int] = {}
    for ours in FIELDS:
        theirs = mapping.get(ours, ours)
        if theirs in header:
            index[ours] = header.index(theirs)
        elif ours in mapping:
            raise ParseError(
                f"column {theirs!r} (mapped to {ours!r}) not in header: {', '.join(header)}",
                1,
                0,
                path=name,
            )
    missing = [c for c in ("created_at", "body") if c not in index]
    if "thread_id" not in index and "thread_url" not in index:
        missing.append("thread_id (or thread_url)")
    if missing:
        raise ParseError(
            f"missing required column(s) {', '.join(missing)}; header is: {', '.join(header)} "
            "(use a column mapping such as body=message)",
            1,
            0,
            path=name,
        )
    if "id" not in index:
        stats.warn("no id column: comment ids are derived from line numbers")
    width = len(header)
    seen_threads: set[str] = set()
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ParseError(
                f"malformed CSV: {exc} (unterminated quoted field?)",
                start,
                0,
                path=name,
            ) from None
        line, start = start, reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if len(row) != width:
            raise ParseError(
                f"row has {len(row)} field(s) but the header has {width}"
                + (" (truncated last row?)" if len(row) < width else ""),
                line,
                0,
                path=name,
            )

        def get(col: str, row: list[str] = row) -> str:
            i = index.get(col)
            return row[i].strip() if i is not None else ""

        def fail(col: str, msg: str, line: int = line) -> ParseError:
            return ParseError(msg, line, index.get(col, -1) + 1, path=name)

        source_id = get("id") if "id" in index else f"L{line}"
        if not source_id:
            raise fail("id", "empty id")
        thread_url = get("thread_url")
        thread_id = get("thread_id") or thread_url
        if not thread_id:
            raise fail("thread_id", "empty thread_id and thread_url")
        if thread_id not in seen_threads:
            seen_threads.add(thread_id)
            stats.threads += 1
            yield ImportedThread(
                source_id=thread_id, url=thread_url, title=get("thread_title")
            )
        try:
            created = parse_date(
                get("created_at"), date_format=date_format, default_tz=default_tz
            )
        except ValueError as exc:
            raise fail("created_at", f"created_at: {exc}") from None
        status = _STATUS.get(get("status").lower())
        if status is None:
            raise fail(
                "status",
                f"unknown status {get('status')!r}; use approved/pending/spam/deleted",
            )
        kind = get("kind").lower() or "comment"
        if kind not in ("comment", "pingback", "trackback"):
            raise fail("kind", f"unknown kind {kind!r}")
        raw_email = get("author_email")
        email = normalise_email(raw_email)
        if raw_email and email is None:
            stats.invalid_emails += 1
        parent = get("parent_id")
        comment = ImportedComment(
            source_id=source_id,
            thread_source_id=thread_id,
            parent_source_id=parent if parent not in ("", "0") else None,
            author_name=get("author_name"),
            author_email=email,
            author_url=get("author_url"),
            author_username=get("author_username"),
            created_at=created,
            html=get("body"),
            is_deleted=status == "deleted",
            is_spam=status == "spam",
            is_approved=status == "approved",
            kind=kind,  # type: ignore[arg-type]
            ip=get("ip"),
        )
        stats.count_comment(comment)
        yield comment
