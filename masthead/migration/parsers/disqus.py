"""Streaming parser for Disqus XML exports (``<disqus>`` root).

Format (Disqus "Export comments" e-mail, schema ``http://disqus.com/api/schemas/1.0/
disqus.xsd`` + ``disqus-internals.xsd``): top-level ``<category>``, ``<thread
dsq:id>`` (``id``, ``link``, ``title``, ``createdAt``, ``isClosed``, ``isDeleted``)
and ``<post dsq:id>`` (``message``, ``createdAt``, ``isDeleted``, ``isSpam``,
``author/{name,email,username}``, ``ipAddress``, ``thread dsq:id``, optional
``parent dsq:id``). Threads normally come before posts, but not always.

Memory: one top-level element at a time, plus the ids of threads seen so far
(``dict[str, bool]``, ~100 bytes per thread) and any posts whose thread has not
been seen *yet* (none in a normal export).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ._xml import SafeXMLSource, Source, iterparse_safe, parse_source, release
from .base import (
    ImportedComment,
    ImportedThread,
    ParseError,
    ParseStats,
    Record,
    normalise_email,
    parse_bool,
    parse_datetime,
)

NS = "{http://disqus.com}"
DSQ_ID = "{http://disqus.com/disqus-internals}id"
_ROOT = NS + "disqus"
_THREAD = NS + "thread"
_POST = NS + "post"
_AUTHOR = NS + "author"
_PARENT = NS + "parent"
_POST_FIELDS = {NS + k: k for k in ("message", "createdAt", "isDeleted", "isSpam", "ipAddress")}
_AUTHOR_FIELDS = {NS + k: k for k in ("name", "email", "username")}


def parse_disqus(
    source: Source,
    *,
    stats: ParseStats | None = None,
    keep_orphans: bool = False,
    recover: bool = False,
) -> Iterator[Record]:
    """Stream an export as ``ImportedThread`` / ``ImportedComment`` records.

    Args:
        source: path or binary file object of a Disqus XML export.
        stats: optional :class:`ParseStats` filled in as the stream is consumed.
        keep_orphans: yield posts whose ``<thread dsq:id>`` is never defined in the
            file (default: drop them, count ``dropped_orphans``, warn).
            A kept orphan is preceded by a stub ``ImportedThread`` (url/title ``""``).
        recover: let libxml2 recover from malformed XML (errors become warnings
            with line:column; data near the error may be lost). Default strict.

    Yields:
        Every thread (including ``is_deleted`` ones) when its element ends; every
        post after its thread. A ``<post>`` without ``dsq:id`` is skipped
        (``dropped_no_id``). Posts of deleted threads are dropped (counted in
        ``dropped_in_deleted_threads``). Deleted and spam posts are yielded with
        their flags set so that replies keep their parent. Replies may come
        before their parent.

    Raises:
        ParseError: malformed XML, DOCTYPE (bomb/XXE guard), a ``<thread>``
            without ``dsq:id``, or a file whose root is not ``<disqus>``. An
            unparseable ``createdAt`` is a warning and counts as a missing date.
    """
    yield from parse_source(source, stats, _parse, keep_orphans=keep_orphans, recover=recover)


def _parse(
    src: SafeXMLSource, stats: ParseStats, *, keep_orphans: bool, recover: bool
) -> Iterator[Record]:
    threads: dict[str, bool] = {}  # dsq:id -> is_deleted
    pending: dict[str, list[ImportedComment]] = {}  # posts waiting for a later thread
    root_checked = False
    for el in iterparse_safe(src, (_THREAD, _POST), recover=recover, stats=stats):
        if not root_checked:
            root_tag = el.getroottree().getroot().tag
            if root_tag != _ROOT:
                raise ParseError(
                    f"not a Disqus export: root element is <{root_tag}>",
                    1,
                    0,
                    path=src.name,
                )
            root_checked = True
        parent = el.getparent()
        if parent is None:
            continue
        nested_in = None
        if parent.tag != _ROOT:
            nested_in = _swallowed_by(el) if recover and el.tag == _POST else None
            if nested_in is None:
                continue  # <thread dsq:id/> reference inside a <post>; handled with the post
        if el.tag == _THREAD:
            thread = _thread(el, src, stats)
            release(el)
            if thread is None:
                continue
            if thread.source_id in threads:
                stats.warn(
                    f"duplicate thread dsq:id {thread.source_id!r}; first one kept",
                    el.sourceline,
                )
                continue
            threads[thread.source_id] = thread.is_deleted
            stats.threads += 1
            stats.deleted_threads += thread.is_deleted
            yield thread
            for comment in pending.pop(thread.source_id, ()):
                if thread.is_deleted:
                    stats.dropped_in_deleted_threads += 1
                else:
                    stats.count_comment(comment)
                    yield comment
        else:
            comment = _post(el, src, stats)
            if nested_in is None:
                release(el)
            else:
                # recovery left this post inside a broken one: keep it, and say so
                el.clear(keep_tail=False)
                if comment is not None:
                    stats.warn(
                        f"post {comment.source_id} was read from inside the malformed "
                        f"post {nested_in} (recovered)",
                        src.adjust(el.sourceline or 0, 0)[0],
                    )
            if comment is None:
                continue
            deleted = threads.get(comment.thread_source_id)
            if deleted is None:
                pending.setdefault(comment.thread_source_id, []).append(comment)
            elif deleted:
                stats.dropped_in_deleted_threads += 1
            else:
                stats.count_comment(comment)
                yield comment
    if not root_checked:
        raise ParseError(
            "no Disqus <thread> or <post> found: is this a Disqus export?",
            1,
            0,
            path=src.name,
        )
    for thread_id, comments in pending.items():
        if keep_orphans:
            stub = ImportedThread(source_id=thread_id, url="", title="")
            stats.threads += 1
            yield stub
            for comment in comments:
                stats.count_comment(comment)
                yield comment
        else:
            stats.dropped_orphans += len(comments)
            stats.warn(
                f"dropped {len(comments)} post(s) of undefined thread dsq:id {thread_id!r}: "
                + ", ".join(c.source_id for c in comments[:5])
            )


def _swallowed_by(el) -> str | None:  # noqa: ANN001 - lxml element
    """The ``dsq:id`` of the post that holds ``el`` after libxml2's recovery, if any.

    In recover mode an unclosed tag in one post makes libxml2 nest the posts after
    it inside that post; they are whole posts of their own and are read as such.
    """
    if not (el.get(DSQ_ID) or "").strip():
        return None
    for ancestor in el.iterancestors():
        if ancestor.tag == _POST:
            return (ancestor.get(DSQ_ID) or "").strip() or "(no id)"
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _date(
    value: str, el_line: int, src: SafeXMLSource, stats: ParseStats, what: str
) -> datetime | None:
    if not value:
        stats.missing_dates += 1
        stats.warn(f"{what} has no createdAt", el_line)
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        # one bad date must not stop the file: the comment keeps its text and gets
        # the thread's date (or the import time), like a comment without a date
        stats.missing_dates += 1
        stats.warn(f"{what}: invalid createdAt {value!r}; treated as missing", el_line)
        return None


def _thread(el, src: SafeXMLSource, stats: ParseStats) -> ImportedThread | None:
    line, _ = src.adjust(el.sourceline or 0, 0)
    source_id = (el.get(DSQ_ID) or "").strip()
    if not source_id:
        raise ParseError("<thread> without dsq:id", line, 0, path=src.name)
    fields: dict[str, str] = {}
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag.startswith(NS):
            fields.setdefault(tag[len(NS) :], (child.text or "").strip())
    ident = fields.get("id", "")
    return ImportedThread(
        source_id=source_id,
        url=fields.get("link", ""),
        title=fields.get("title", ""),
        identifiers=(ident,) if ident else (),
        is_deleted=parse_bool(fields.get("isDeleted")),
        is_closed=parse_bool(fields.get("isClosed")),
        created_at=_date(fields.get("createdAt", ""), line, src, stats, f"thread {source_id}")
        if "createdAt" in fields
        else None,
    )


def _post(el, src: SafeXMLSource, stats: ParseStats) -> ImportedComment | None:
    line, _ = src.adjust(el.sourceline or 0, 0)
    source_id = (el.get(DSQ_ID) or "").strip()
    if not source_id:
        # Seen in Remark42's fixture ("This comment had no ID"): nothing can refer
        # to it and re-imports could not de-duplicate it, so it is skipped.
        stats.dropped_no_id += 1
        stats.warn("<post> without dsq:id skipped", line)
        return None
    f: dict[str, str] = {}
    thread_id = ""
    parent_id: str | None = None
    for child in el:
        tag = child.tag
        key = _POST_FIELDS.get(tag)
        if key is not None:
            f[key] = child.text or ""
        elif tag == _THREAD:
            thread_id = (child.get(DSQ_ID) or "").strip()
        elif tag == _PARENT:
            parent_id = (child.get(DSQ_ID) or "").strip() or None
        elif tag == _AUTHOR:
            for sub in child:
                key = _AUTHOR_FIELDS.get(sub.tag)
                if key is not None:
                    f[key] = sub.text or ""
    message = f.get("message", "").strip()
    created = f.get("createdAt", "").strip()
    is_deleted, is_spam = f.get("isDeleted", ""), f.get("isSpam", "")
    ip = f.get("ipAddress", "").strip()
    name, email, username = (
        f.get("name", "").strip(),
        f.get("email", "").strip(),
        f.get("username", "").strip(),
    )
    if not thread_id:
        stats.dropped_orphans += 1
        stats.warn(f"post {source_id} has no <thread dsq:id>; dropped", line)
        return None
    author_email = normalise_email(email)
    if email and author_email is None:
        stats.invalid_emails += 1
    return ImportedComment(
        source_id=source_id,
        thread_source_id=thread_id,
        parent_source_id=parent_id,
        author_name=name,
        author_email=author_email,
        author_url="",
        author_username=username,
        created_at=_date(created, line, src, stats, f"post {source_id}"),
        html=message,
        is_deleted=parse_bool(is_deleted),
        is_spam=parse_bool(is_spam),
        is_approved=not parse_bool(is_spam),
        kind="comment",
        ip=ip,
    )
