"""Streaming parser for WordPress eXtended RSS (WXR 1.0, 1.1, 1.2) exports.

Format: ``<rss><channel><item>...</item></channel></rss>`` where each ``<item>``
is a post/page with ``title``, ``link``, ``guid``, ``wp:post_id``, ``wp:post_name``,
``wp:status``, ``wp:comment_status`` and zero or more ``<wp:comment>`` children
(``comment_id``, ``comment_author``, ``comment_author_email``, ``comment_author_url``,
``comment_author_IP``, ``comment_date``, ``comment_date_gmt``, ``comment_content``,
``comment_approved``, ``comment_type``, ``comment_parent``, ``commentmeta``).
Rules follow WordPress's own importer (``wordpress-importer/parsers``).

The ``wp`` namespace is ``http(s)://wordpress.org/export/1.x/`` (the Theme Unit
Test data uses ``https``); any of them is accepted. Disqus's WXR-based *import*
format (``dsq:thread_identifier`` items without ``wp:post_id``) is read too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo

from ._xml import SafeXMLSource, Source, iterparse_safe, parse_source, release
from .base import (
    ImportedComment,
    ImportedThread,
    ParseError,
    ParseStats,
    Record,
    normalise_email,
    parse_datetime,
)

_DSQ_IDENT = "{http://www.disqus.com/}thread_identifier"
_ZERO_DATES = {"", "0000-00-00 00:00:00", "0000-00-00T00:00:00"}


def _wp_local(tag: object) -> str | None:
    """Local name if ``tag`` is in a WXR ``wp`` namespace, else ``None``."""
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    ns, _, local = tag[1:].partition("}")
    if (
        ns.startswith(("http://wordpress.org/export/", "https://wordpress.org/export/"))
        and "excerpt" not in ns
    ):
        return local
    return None


def parse_wxr(
    source: Source,
    *,
    stats: ParseStats | None = None,
    local_tz: tzinfo = UTC,
    recover: bool = False,
) -> Iterator[Record]:
    """Stream a WXR file as ``ImportedThread`` / ``ImportedComment`` records.

    Args:
        source: path or binary file object.
        stats: optional :class:`ParseStats` filled in while streaming.
        local_tz: the old blog's time zone, used only when ``comment_date_gmt``
            is missing or ``0000-00-00 00:00:00`` and ``comment_date`` (local time)
            must be used instead (each such case is warned about).
        recover: let libxml2 recover from malformed XML (see ``parse_disqus``).

    Yields:
        For each ``<item>`` with at least one ``<wp:comment>``: one
        ``ImportedThread`` (``source_id`` = ``wp:post_id``, else the first
        ``dsq:thread_identifier``, else ``link``/``guid``; ``is_deleted`` when
        ``wp:status`` is ``trash``; ``is_closed`` when ``wp:comment_status`` is
        ``closed``), then its comments. Items without comments are skipped.
        Comments of trashed items are dropped (``dropped_in_deleted_threads``).
        ``comment_approved``: ``1`` approved, ``0`` pending, ``spam`` spam,
        ``trash`` deleted. ``comment_parent`` ``0``/empty -> ``None``.
        ``comment_type`` ``pingback``/``trackback`` set ``kind``; anything
        else (``""``, ``comment``, custom types) is ``"comment"``.

    Raises:
        ParseError: malformed XML (with line and column), DOCTYPE, a comment
            without ``comment_id``, an item with comments but no usable id, an
            invalid date, a root that is not ``<rss>``, or no ``<item>`` at all.
    """
    yield from parse_source(source, stats, _parse, local_tz=local_tz, recover=recover)


def _parse(
    src: SafeXMLSource, stats: ParseStats, *, local_tz: tzinfo, recover: bool
) -> Iterator[Record]:
    seen_root = False
    for item in iterparse_safe(src, ("item",), recover=recover, stats=stats):
        if not seen_root:
            root_tag = item.getroottree().getroot().tag
            if root_tag != "rss":
                raise ParseError(
                    f"not a WXR export: root element is <{root_tag}>",
                    1,
                    0,
                    path=src.name,
                )
            seen_root = True
        records = _item(item, src, stats, local_tz)
        release(item)
        yield from records
    if not seen_root:
        raise ParseError("no <item> found: is this a WordPress WXR export?", 1, 0, path=src.name)


def _item(item, src: SafeXMLSource, stats: ParseStats, local_tz: tzinfo) -> list[Record]:
    line, _ = src.adjust(item.sourceline or 0, 0)
    fields: dict[str, str] = {}
    identifiers: list[str] = []
    comments = []
    for child in item:
        tag = child.tag
        wp = _wp_local(tag)
        if wp == "comment":
            comments.append(child)
        elif wp is not None:
            fields.setdefault("wp:" + wp, (child.text or "").strip())
        elif tag == _DSQ_IDENT:
            identifiers.append((child.text or "").strip())
        elif isinstance(tag, str) and not tag.startswith("{"):
            fields.setdefault(tag, (child.text or "").strip())
    if not comments:
        return []
    link, guid = fields.get("link", ""), fields.get("guid", "")
    post_name = fields.get("wp:post_name", "")
    identifiers.extend([guid, post_name])
    identifiers = [i for i in dict.fromkeys(identifiers) if i]
    source_id = fields.get("wp:post_id") or (identifiers[0] if identifiers else "") or link or guid
    if not source_id:
        raise ParseError(
            "<item> with comments has no wp:post_id, link or guid",
            line,
            0,
            path=src.name,
        )
    created = None
    post_gmt = fields.get("wp:post_date_gmt", "")
    if post_gmt not in _ZERO_DATES:
        try:
            created = parse_datetime(post_gmt)
        except ValueError:
            stats.warn(f"item {source_id}: invalid wp:post_date_gmt {post_gmt!r} ignored", line)
    thread = ImportedThread(
        source_id=source_id,
        url=link,
        title=fields.get("title", ""),
        identifiers=tuple(i for i in identifiers if i != source_id),
        is_deleted=fields.get("wp:status") == "trash",
        is_closed=fields.get("wp:comment_status") == "closed",
        created_at=created,
    )
    stats.threads += 1
    out: list[Record] = [thread]
    if thread.is_deleted:
        stats.deleted_threads += 1
        stats.dropped_in_deleted_threads += len(comments)
        return out
    for el in comments:
        comment = _comment(el, source_id, src, stats, local_tz)
        stats.count_comment(comment)
        out.append(comment)
    return out


def _comment(
    el, thread_id: str, src: SafeXMLSource, stats: ParseStats, local_tz: tzinfo
) -> ImportedComment:
    line, _ = src.adjust(el.sourceline or 0, 0)
    f: dict[str, str] = {}
    for child in el:
        wp = _wp_local(child.tag)
        if wp is not None and wp != "commentmeta":
            f[wp] = child.text or ""
    source_id = f.get("comment_id", "").strip()
    if not source_id:
        raise ParseError("<wp:comment> without comment_id", line, 0, path=src.name)
    created = _comment_date(f, source_id, line, src, stats, local_tz)
    approved = f.get("comment_approved", "1").strip().lower()
    ctype = f.get("comment_type", "").strip().lower()
    parent = f.get("comment_parent", "").strip()
    raw_email = f.get("comment_author_email", "").strip()
    email = normalise_email(raw_email)
    if raw_email and email is None:
        stats.invalid_emails += 1
    return ImportedComment(
        source_id=source_id,
        thread_source_id=thread_id,
        parent_source_id=parent if parent not in ("", "0") else None,
        author_name=f.get("comment_author", "").strip(),
        author_email=email,
        author_url=f.get("comment_author_url", "").strip(),
        author_username="",
        created_at=created,
        html=f.get("comment_content", "").strip(),
        is_deleted=approved in ("trash", "post-trashed"),
        is_spam=approved == "spam",
        is_approved=approved in ("1", "approve", "approved"),
        kind="pingback"
        if ctype == "pingback"
        else "trackback"
        if ctype == "trackback"
        else "comment",
        ip=f.get("comment_author_IP", "").strip(),
    )


def _comment_date(
    f: dict[str, str],
    source_id: str,
    line: int,
    src: SafeXMLSource,
    stats: ParseStats,
    local_tz: tzinfo,
) -> datetime | None:
    gmt = f.get("comment_date_gmt", "").strip()
    value, tz = gmt, UTC
    if gmt in _ZERO_DATES:
        value, tz = f.get("comment_date", "").strip(), local_tz
        if value in _ZERO_DATES:
            stats.missing_dates += 1
            stats.warn(f"comment {source_id} has no date", line)
            return None
        stats.warn(f"comment {source_id}: no comment_date_gmt, used comment_date in {tz}", line)
    try:
        return parse_datetime(value, default_tz=tz)
    except ValueError:
        raise ParseError(
            f"comment {source_id}: invalid date {value!r}", line, 0, path=src.name
        ) from None
