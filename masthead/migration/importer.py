"""Import a comment export (Disqus, WXR, CSV) into Masthead comments.

Algorithm (streaming, memory flat in the number of comments):

1. Build a :class:`StoryMatcher` (live stories by URL path and ``external_id``, the
   ``old,new`` mapping file, threads matched by an earlier run).
2. *Release* held threads of this source that now match a story: their held
   comments go through step 3 like fresh ones and leave the holding area.
3. Stream the export. Each thread is matched once (``thread id -> story id`` is
   the only per-thread state kept). Comments are buffered and written in batches of
   ``batch_size`` in one transaction each: already imported ``(source, old_id)``
   are skipped (idempotence), legacy authors are found or created, the
   :class:`~masthead.comments.models.Comment` rows and their
   :class:`~masthead.migration.models.ImportedComment` records are
   written with ``COPY`` (:func:`fast_insert`). Comments of unmatched threads go
   to the holding area. On PostgreSQL, outside a caller's transaction, the
   batches are written by a background thread with its own connection while the
   file is parsed (:mod:`.writer`: in order, nothing after a failed batch, bounded
   queue), which overlaps the Python work with the database's.
4. After the stream, parents are linked in SQL from the ``ImportedComment`` table
   (``UPDATE ... FROM``, in id ranges) -- this handles replies that came before
   their parent without a dict of every id in memory. A reply whose parent is not
   in the export (or on another story) stays at top level and is flagged ``orphan``.

A malformed file stops the stream with :class:`ImportAborted` (carrying the
:class:`~masthead.migration.parsers.ParseError` line and column); what was
written is complete batches only, and the same command run again on the fixed
file continues where it stopped (duplicates are skipped). ``dry_run`` runs the
very same code inside a transaction that is rolled back.

Imported comments do **not** go through the comment guideline check: they were
moderated on the old platform, and their old state is mapped as follows
(``verdict`` records it): deleted/trash -> ``deleted``, spam -> ``spam``,
unapproved (WXR ``0``, CSV ``pending``) -> ``pending``, approved -> ``published``.
Pingbacks and trackbacks are skipped and counted. The old state also goes into the
moderation decision store the site's guidelines model learns from
(``masthead.moderation.learning.store.record_imported_comments``: the one call from this
app into moderation).
A comment longer than the site's limit for new comments
(``MASTHEAD_COMMENTS_MAX_LENGTH``) is kept whole: it was published on the old platform and
cutting it would lose words; the report counts such comments and names the first ones.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from wagtail.models import Site

from masthead.articles.models import StoryPage
from masthead.comments.models import Comment, CommentStatus
from masthead.core.page_cache import content_changed
from masthead.moderation.learning.store import record_imported_comments

from .html import clean_comment_html
from .models import HeldComment, HeldThread, ImportedComment, ImportRun, LegacyAuthor
from .parsers import ImportedComment as ParsedComment
from .parsers import (
    ImportedThread,
    ParseError,
    ParseStats,
    parse_csv,
    parse_disqus,
    parse_wxr,
)
from .urls import normalise_story_url, read_mapping_file
from .writer import BackgroundWriter, InlineWriter, make_writer

__all__ = [
    "ImportAborted",
    "ImportOptions",
    "ImportReport",
    "StoryMatcher",
    "default_source_name",
    "import_comments",
    "link_parents",
]

#: Comments per transaction (issue 6 design: complete batches or nothing).
DEFAULT_BATCH_SIZE = 2000
#: How many unmatched threads / orphans / warnings the report lists by name.
REPORT_LIST_LIMIT = 50
#: Rows of ImportedComment per parent-linking UPDATE.
LINK_CHUNK = 50_000


@dataclass
class ImportOptions:
    """What to import and how.

    Attributes:
        path: the export file (``None`` with ``rematch_only``).
        fmt: ``"disqus"``, ``"wxr"`` or ``"csv"``.
        source: namespace of old ids (``(source, old_id)`` is unique); see
            :func:`default_source_name`.
        dry_run: do everything, then roll back.
        mapping_path: ``old,new`` CSV (see :func:`masthead.migration.urls.read_mapping_file`).
        old_hosts: host names the old site used (merged with
            ``settings.MASTHEAD_MIGRATION_OLD_HOSTS``); when any are given, only
            thread URLs on those hosts or this site's hosts are matched by path.
        batch_size: comments per transaction.
        recover: XML recover mode (libxml2 skips malformed parts, with warnings).
        columns / date_format / timezone / delimiter: CSV options (``timezone``
            also applies to WXR local dates).
        progress: called with the number of comments read so far, every
            ``progress_every`` comments and once at the end.
        rematch_only: do not read a file; only release held threads that now match.
        background_writer: write batches on a background thread while the file is
            parsed (PostgreSQL, outside a transaction only; see :mod:`.writer`).
    """

    path: Path | None
    fmt: str
    source: str
    dry_run: bool = False
    mapping_path: Path | None = None
    old_hosts: Sequence[str] = ()
    batch_size: int = DEFAULT_BATCH_SIZE
    recover: bool = False
    columns: dict[str, str] | None = None
    date_format: str | None = None
    timezone: tzinfo = UTC
    delimiter: str = ","
    progress: Callable[[int], None] | None = None
    progress_every: int = 10_000
    rematch_only: bool = False
    background_writer: bool = True


@dataclass
class ImportReport:
    """Counters of one run (``as_dict`` is stored in ``ImportRun.report``).

    Thread counters count threads in the file; ``released_*`` count held threads
    and comments of earlier runs moved into real comments by this run. ``orphaned``
    and the ``authors_*`` figures are totals for the source after the run.
    """

    source: str = ""
    format: str = ""
    file: str = ""
    dry_run: bool = False
    threads_seen: int = 0
    threads_matched: int = 0
    threads_unmatched: int = 0
    threads_deleted: int = 0
    released_threads: int = 0
    released_comments: int = 0
    comments_read: int = 0
    imported: int = 0
    imported_published: int = 0
    imported_pending: int = 0
    imported_deleted: int = 0
    imported_spam: int = 0
    held: int = 0
    skipped_duplicate: int = 0
    skipped_pingback: int = 0
    skipped_trackback: int = 0
    skipped_in_deleted_threads: int = 0
    empty_after_cleaning: int = 0
    over_length: int = 0
    over_length_limit: int = 0
    missing_dates: int = 0
    parents_linked: int = 0
    orphaned: int = 0
    authors_accounts: int = 0
    authors_legacy: int = 0
    authors_anonymous_comments: int = 0
    unmatched_threads: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    run_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict of every field."""
        return dataclasses.asdict(self)

    def rows(self) -> list[tuple[str, str]]:
        """``(label, value)`` rows of the end-of-run table (issue 6 report)."""
        return [
            ("source", self.source),
            ("format", self.format),
            ("file", self.file or "-"),
            ("mode", "DRY RUN (nothing written)" if self.dry_run else "write"),
            ("threads matched", f"{self.threads_matched:,}"),
            ("threads unmatched (held)", f"{self.threads_unmatched:,}"),
            ("threads deleted on old platform", f"{self.threads_deleted:,}"),
            (
                "held threads released (earlier runs)",
                f"{self.released_threads:,} ({self.released_comments:,} comments)",
            ),
            ("comments read", f"{self.comments_read:,}"),
            ("comments imported", f"{self.imported:,}"),
            ("  shown (published)", f"{self.imported_published:,}"),
            ("  hidden: pending", f"{self.imported_pending:,}"),
            ("  hidden: deleted", f"{self.imported_deleted:,}"),
            ("  hidden: spam", f"{self.imported_spam:,}"),
            ("comments held (unmatched threads)", f"{self.held:,}"),
            ("skipped: duplicate (already imported)", f"{self.skipped_duplicate:,}"),
            ("skipped: pingback", f"{self.skipped_pingback:,}"),
            ("skipped: trackback", f"{self.skipped_trackback:,}"),
            ("skipped: in deleted threads", f"{self.skipped_in_deleted_threads:,}"),
            ("replies linked to parents", f"{self.parents_linked:,}"),
            ("orphaned replies (top level)", f"{self.orphaned:,}"),
            ("authors matched to accounts", f"{self.authors_accounts:,}"),
            ("authors legacy (unclaimed)", f"{self.authors_legacy:,}"),
            ("comments without author", f"{self.authors_anonymous_comments:,}"),
            ("empty after HTML cleaning", f"{self.empty_after_cleaning:,}"),
            (
                f"longer than the {self.over_length_limit:,}-character limit (kept whole)",
                f"{self.over_length:,}",
            ),
            ("missing dates (import time used)", f"{self.missing_dates:,}"),
            ("warnings", f"{len(self.warnings):,}"),
        ]


class ImportAborted(Exception):
    """The export could not be read to the end.

    ``parse_error`` has the line/column; ``report`` the counters so far (complete
    batches were written unless dry-run).
    """

    def __init__(self, parse_error: ParseError, report: ImportReport) -> None:
        self.parse_error = parse_error
        self.report = report
        super().__init__(str(parse_error))


class _DryRunRollback(Exception):
    pass


def default_source_name(fmt: str, path: Path | None) -> str:
    """``"<format>:<file stem>"``, e.g. ``"wxr:blog-export"``.

    Old ids are only unique within one platform/site, so the default namespace
    includes the file name; pass ``--source`` explicitly to keep it stable when the
    export is renamed (the same source + old id is never imported twice).
    """
    return f"{fmt}:{path.stem}" if path else fmt


# --------------------------------------------------------------------------- matching


class StoryMatcher:
    """Find the live story an old thread belongs to.

    Order: the mapping file (by the thread URL's key, its path-only key, the thread
    id, then each identifier); a match recorded by an earlier run; the thread
    URL's path against live stories' paths (only when the host is this site's, an
    old host, or no old hosts are configured); finally the thread identifiers
    against ``StoryPage.external_id``.
    """

    def __init__(
        self,
        source: str,
        old_hosts: Sequence[str] = (),
        mapping: dict[str, str] | None = None,
    ) -> None:
        self.old_hosts = tuple(old_hosts)
        self.mapping = mapping or {}
        roots = sorted(Site.get_site_root_paths(), key=lambda r: -len(r.root_path))
        self.by_path: dict[str, int] = {}
        self.by_external_id: dict[str, int] = {}
        for pk, url_path, external_id in StoryPage.objects.live().values_list(
            "pk", "url_path", "external_id"
        ):
            rel = url_path
            for root in roots:
                if url_path.startswith(root.root_path):
                    rel = "/" + url_path[len(root.root_path) :]
                    break
            self.by_path.setdefault(normalise_story_url(rel), pk)
            if external_id:
                self.by_external_id.setdefault(str(external_id), pk)
        hosts = list(self.old_hosts) + list(Site.objects.values_list("hostname", flat=True))
        self.allowed_hosts = {
            normalise_story_url(f"//{h}", self.old_hosts) for h in hosts if h.strip()
        }
        self.earlier = dict(
            HeldThread.objects.filter(source=source, matched_story__isnull=False).values_list(
                "old_thread_id", "matched_story_id"
            )
        )
        self.unknown_mapping_targets: set[str] = set()

    def key(self, url: str) -> str:
        """The normalised ``host/path`` key of a thread URL."""
        return normalise_story_url(url, self.old_hosts) if url else ""

    def story_for_path(self, path: str) -> int | None:
        """Live story id at a site path (``/world/story``), or ``None``."""
        return self.by_path.get(normalise_story_url(path))

    def match(self, thread: ImportedThread) -> int | None:
        """Story id for ``thread`` or ``None`` (see class doc for the order)."""
        key = self.key(thread.url)
        host, _, rest = key.partition("/")
        path = "/" + rest if rest else ""
        if self.mapping:
            candidates = [key, path, thread.source_id, *thread.identifiers]
            for candidate in candidates:
                if candidate and candidate in self.mapping:
                    target = self.mapping[candidate]
                    story = self.story_for_path(target)
                    if story is not None:
                        return story
                    self.unknown_mapping_targets.add(target)
        if thread.source_id in self.earlier:
            return self.earlier[thread.source_id]
        if path and (not self.old_hosts or not host or host in self.allowed_hosts):
            story = self.by_path.get(path)
            if story is not None:
                return story
        for ident in thread.identifiers:
            story = self.by_external_id.get(ident)
            if story is not None:
                return story
        return None


# --------------------------------------------------------------------------- helpers


def _status(c: ParsedComment) -> str:
    if c.is_deleted:
        return CommentStatus.DELETED
    if c.is_spam:
        return CommentStatus.SPAM
    if not c.is_approved:
        return CommentStatus.PENDING
    return CommentStatus.PUBLISHED


def _author_key(source: str, c: ParsedComment) -> str | None:
    """Who wrote ``c``, as a legacy author key (``None``: no author at all).

    An e-mail address or a platform user name identifies a person. A display name
    alone does not: two guests who both signed "Anna" are two people, and such an
    author can never be claimed (claiming needs a verified address), so each
    name-only comment gets its own legacy author.
    """
    if c.author_email:
        return f"email:{c.author_email}"[:400]
    if c.author_username:
        return f"{source}|user:{c.author_username}"[:400]
    if c.author_name:
        return f"{source}|guest:{c.source_id}|{c.author_name}"[:400]
    return None


def _comment_to_json(c: ParsedComment) -> dict[str, Any]:
    data = dataclasses.asdict(c)
    data["created_at"] = c.created_at.isoformat() if c.created_at else None
    return data


def _comment_from_json(data: dict[str, Any]) -> ParsedComment:
    data = dict(data)
    if data.get("created_at"):
        data["created_at"] = datetime.fromisoformat(data["created_at"])
    return ParsedComment(**data)


def _scope_wxr_ids(records: Iterable[object]) -> Iterator[object]:
    """Make WXR comment ids ``"<post id>#<comment id>"``.

    WordPress numbers comments per site, but real exports repeat a ``comment_id``
    under two posts (Isso's fixture has two different comments ``11``), and
    ``comment_parent`` always refers to a comment of the same post, so the pair
    is the unique, stable key.
    """
    for r in records:
        if isinstance(r, ParsedComment):
            parent = r.parent_source_id
            r = dataclasses.replace(
                r,
                source_id=f"{r.thread_source_id}#{r.source_id}",
                parent_source_id=f"{r.thread_source_id}#{parent}" if parent else None,
            )
        yield r


def _records(opts: ImportOptions, stats: ParseStats) -> Iterator[object]:
    assert opts.path is not None
    if opts.fmt == "disqus":
        return parse_disqus(opts.path, stats=stats, keep_orphans=True, recover=opts.recover)
    if opts.fmt == "wxr":
        return _scope_wxr_ids(
            parse_wxr(opts.path, stats=stats, local_tz=opts.timezone, recover=opts.recover)
        )
    if opts.fmt == "csv":
        return parse_csv(
            opts.path,
            columns=opts.columns,
            stats=stats,
            date_format=opts.date_format,
            default_tz=opts.timezone,
            delimiter=opts.delimiter,
        )
    raise ValueError(f"unknown format {opts.fmt!r}; use disqus, wxr or csv")


# --------------------------------------------------------------------------- importer


@dataclass(slots=True)
class _Prepared:
    """A comment of a matched thread, cleaned and ready to be written (see ``_prepare``)."""

    comment: ParsedComment
    story: int
    author_key: str | None
    body: str
    emptied: bool  # the old body had content, nothing survived cleaning
    over_length: bool  # longer than MASTHEAD_COMMENTS_MAX_LENGTH (kept whole)
    status: str
    created_at: datetime
    date_missing: bool  # neither the comment nor its thread had a date: import time used


class _Importer:
    def __init__(self, opts: ImportOptions, run: ImportRun, matcher: StoryMatcher) -> None:
        self.opts = opts
        self.source = opts.source
        self.run = run
        self.matcher = matcher
        self.report = ImportReport(
            source=opts.source,
            format=opts.fmt,
            file=str(opts.path or ""),
            dry_run=opts.dry_run,
            run_id=run.pk,
        )
        # thread id -> story id (int), or None when held / deleted
        self.threads: dict[str, int | None] = {}
        self.thread_dates: dict[str, datetime | None] = {}
        self.held_threads: set[str] = set()
        self.buffer: list[_Prepared] = []
        self.held_threads_buffer: list[HeldThread] = []
        self.held_buffer: list[HeldComment] = []
        self.now = timezone.now()
        # New comments over this length are refused; imported ones were published on
        # the old platform and are kept whole (nothing is lost), counted and named.
        self.max_length: int = settings.MASTHEAD_COMMENTS_MAX_LENGTH
        self.report.over_length_limit = self.max_length
        self.writer: InlineWriter | BackgroundWriter = InlineWriter()

    # -- stream ------------------------------------------------------------
    def consume(self, records: Iterable[object]) -> None:
        every = max(1, self.opts.progress_every)
        for record in records:
            if isinstance(record, ImportedThread):
                self._thread(record)
                continue
            assert isinstance(record, ParsedComment)
            self.report.comments_read += 1
            if self.opts.progress and self.report.comments_read % every == 0:
                self.opts.progress(self.report.comments_read)
            self._comment(record)
            if len(self.buffer) + len(self.held_buffer) >= self.opts.batch_size:
                self.flush()
        self.flush()
        if self.opts.progress:
            self.opts.progress(self.report.comments_read)

    def _thread(self, t: ImportedThread) -> None:
        r = self.report
        r.threads_seen += 1
        if t.is_deleted:
            r.threads_deleted += 1
            self.threads[t.source_id] = None
            return
        story = self.matcher.match(t)
        self.threads[t.source_id] = story
        self.thread_dates[t.source_id] = t.created_at
        if story is not None:
            r.threads_matched += 1
            return
        r.threads_unmatched += 1
        self.held_threads.add(t.source_id)
        if len(r.unmatched_threads) < REPORT_LIST_LIMIT:
            r.unmatched_threads.append(f"{t.source_id} {t.url or t.title or '(no url)'}")
        self.held_threads_buffer.append(
            HeldThread(
                source=self.source,
                old_thread_id=t.source_id,
                url=t.url,
                url_key=self.matcher.key(t.url),
                title=t.title,
                identifiers=list(t.identifiers),
            )
        )

    def _comment(self, c: ParsedComment) -> None:
        r = self.report
        if c.kind == "pingback":
            r.skipped_pingback += 1
            return
        if c.kind == "trackback":
            r.skipped_trackback += 1
            return
        story = self.threads.get(c.thread_source_id)
        if story is not None:
            self.buffer.append(self._prepare(c, story))
        elif c.thread_source_id in self.held_threads:
            self.held_buffer.append(
                HeldComment(
                    source=self.source,
                    old_id=c.source_id,
                    old_thread_id=c.thread_source_id,
                    data=_comment_to_json(c),
                )
            )
        else:  # the parsers never yield a comment of a deleted thread; be safe
            r.skipped_in_deleted_threads += 1

    # -- writing -----------------------------------------------------------
    def flush(self) -> None:
        """Hand the buffered batch to the writer (one transaction; see :mod:`.writer`)."""
        if not (self.buffer or self.held_buffer or self.held_threads_buffer):
            return
        batch = (self.buffer, self.held_buffer, self.held_threads_buffer)
        self.buffer, self.held_buffer, self.held_threads_buffer = [], [], []
        self.writer.submit(lambda: self._write_batch(*batch))

    def _write_batch(
        self,
        comments: list[_Prepared],
        held: list[HeldComment],
        held_threads: list[HeldThread],
    ) -> None:
        with transaction.atomic():
            if held_threads:
                HeldThread.objects.bulk_create(held_threads, ignore_conflicts=True)
            if held:
                self._write_held(held)
            if comments:
                self._write_comments(comments)

    def _write_held(self, held: list[HeldComment]) -> None:
        ids = [h.old_id for h in held]
        done = set(
            ImportedComment.objects.filter(source=self.source, old_id__in=ids).values_list(
                "old_id", flat=True
            )
        )
        already = set(
            HeldComment.objects.filter(source=self.source, old_id__in=ids).values_list(
                "old_id", flat=True
            )
        )
        fresh: dict[str, HeldComment] = {}
        for h in held:
            if h.old_id in done or h.old_id in already or h.old_id in fresh:
                self.report.skipped_duplicate += 1
            else:
                fresh[h.old_id] = h
        HeldComment.objects.bulk_create(fresh.values(), ignore_conflicts=True)
        self.report.held += len(fresh)

    def _prepare(self, c: ParsedComment, story: int) -> _Prepared:
        """The per-comment work that needs no database (HTML cleaning above all).

        Runs in the parsing thread, so with a background writer it overlaps the
        database work of the batch before (see :mod:`.writer`).
        """
        body = clean_comment_html(c.html)
        created = c.created_at or self.thread_dates.get(c.thread_source_id)
        return _Prepared(
            comment=c,
            story=story,
            author_key=_author_key(self.source, c),
            body=body,
            emptied=not body and bool(c.html.strip()),
            over_length=len(body) > self.max_length,
            status=str(_status(c)),
            created_at=created or self.now,
            date_missing=created is None,
        )

    def _write_comments(self, batch: list[_Prepared]) -> None:
        r = self.report
        source = self.source
        done = _existing_old_ids(source, [p.comment.source_id for p in batch])
        todo: list[_Prepared] = []
        for p in batch:
            if p.comment.source_id in done:
                r.skipped_duplicate += 1
                continue
            done.add(p.comment.source_id)
            todo.append(p)
        if not todo:
            return
        authors = self._authors([(p.comment, p.author_key) for p in todo])
        comments: list[tuple[Any, ...]] = []
        records: list[tuple[Any, ...]] = []
        run_id = self.run.pk
        for p in todo:
            c, key = p.comment, p.author_key
            r.empty_after_cleaning += p.emptied
            if p.over_length:
                r.over_length += 1
                if r.over_length <= REPORT_LIST_LIMIT:
                    r.warnings.append(
                        f"comment {c.source_id} is {len(p.body):,} characters, over the "
                        f"{self.max_length:,}-character limit of new comments: kept whole"
                    )
            r.missing_dates += p.date_missing
            field_name = f"imported_{p.status}"
            setattr(r, field_name, getattr(r, field_name) + 1)
            if key is None:
                r.authors_anonymous_comments += 1
                legacy_id, author_id = None, None
            else:
                legacy_id, author_id = authors[key]
            comments.append(
                (
                    p.story,
                    author_id,
                    (c.author_name or c.author_username)[:150],
                    p.body,
                    p.status,
                    p.created_at,
                    {
                        "imported": {
                            "source": source,
                            "old_id": c.source_id,
                            "old_state": {
                                "deleted": c.is_deleted,
                                "spam": c.is_spam,
                                "approved": c.is_approved,
                            },
                            "note": "moderated on the old platform; guideline check skipped",
                        }
                    },
                )
            )
            parent = c.parent_source_id
            records.append(
                (
                    source,
                    c.source_id[:255],
                    c.thread_source_id[:255],
                    parent[:255] if parent else None,
                    legacy_id,
                    run_id,
                    False,
                )
            )
        r.imported += len(todo)
        comment_ids = fast_insert(Comment, _COMMENT_COLUMNS, comments, return_ids=True)
        # The old platform's moderation state teaches the site's guidelines model.
        record_imported_comments(
            (pk, row[3], row[4], row[1], row[5])
            for row, pk in zip(comments, comment_ids, strict=True)
        )
        fast_insert(
            ImportedComment,
            _RECORD_COLUMNS,
            [(*row, pk) for row, pk in zip(records, comment_ids, strict=True)],
        )

    def _authors(
        self, comments: list[tuple[ParsedComment, str | None]]
    ) -> dict[str, tuple[int, int | None]]:
        """``{key: (legacy author id, claimed user id or None)}`` for the batch, creating rows.

        ``comments`` are ``(comment, author key)`` pairs. An unclaimed e-mail author
        (new or from an earlier batch/run) whose address a reader has verified is
        claimed for that reader here, so comments imported after a sign-up are
        theirs at once.
        """
        wanted: dict[str, ParsedComment] = {}
        for c, key in comments:
            if key and key not in wanted:
                wanted[key] = c
        if not wanted:
            return {}
        found = _legacy_authors(list(wanted))
        missing = [k for k in wanted if k not in found]
        # unclaimed addresses (new or earlier) that a reader has already verified
        check = [
            k[6:] for k in wanted if k.startswith("email:") and found.get(k, (0, None))[1] is None
        ]
        verified = _verified_users(check) if check else {}
        if missing:
            now = timezone.now()
            rows = []
            for k in missing:
                c = wanted[k]
                user = verified.get(c.author_email or "")
                rows.append(
                    (
                        k,
                        self.source,
                        c.author_email,
                        (c.author_name or c.author_username)[:150],
                        c.author_url[:500],
                        user,
                        now if user else None,
                    )
                )
            found.update(_insert_legacy_authors(rows))
        for k, (_pk, user) in list(found.items()):
            email = k[6:] if k.startswith("email:") else ""
            if user is None and email in verified and k not in missing:
                from .claiming import claim_legacy_comments

                claim_legacy_comments(verified[email], email)
                found[k] = (_pk, verified[email])
        return found

    # -- holding area ----------------------------------------------------------
    def release_held(self) -> None:
        """Move comments of held threads that now match a story into real comments."""
        released: list[str] = []
        for held in HeldThread.objects.filter(
            source=self.source, matched_story__isnull=True
        ).iterator():
            thread = ImportedThread(
                source_id=held.old_thread_id,
                url=held.url,
                title=held.title,
                identifiers=tuple(held.identifiers or ()),
            )
            story = self.matcher.match(thread)
            if story is None:
                continue
            self.report.released_threads += 1
            released.append(held.old_thread_id)
            with transaction.atomic():
                HeldThread.objects.filter(pk=held.pk).update(
                    matched_story_id=story, matched_at=timezone.now()
                )
            self.matcher.earlier[held.old_thread_id] = story
            qs = HeldComment.objects.filter(source=self.source, old_thread_id=held.old_thread_id)
            for h in qs.order_by("pk").iterator(chunk_size=self.opts.batch_size):
                self.buffer.append(self._prepare(_comment_from_json(h.data), story))
                self.report.released_comments += 1
                if len(self.buffer) >= self.opts.batch_size:
                    self.flush()
            self.flush()
            qs.delete()

    # -- end -------------------------------------------------------------------
    def finish(self) -> None:
        r = self.report
        r.parents_linked = link_parents(self.source)
        # Comments were written with COPY/bulk inserts (no save signals): cached story
        # pages must show them on the next request (after commit; never for a dry run).
        content_changed()
        orphans = ImportedComment.objects.filter(source=self.source, orphan=True)
        r.orphaned = orphans.count()
        r.orphans = [
            f"{old_id} (parent {parent} not found)"
            for old_id, parent in orphans.values_list("old_id", "old_parent_id")[:REPORT_LIST_LIMIT]
        ]
        authors = LegacyAuthor.objects.filter(comments__source=self.source).distinct()
        r.authors_accounts = authors.filter(claimed_by__isnull=False).count()
        r.authors_legacy = authors.filter(claimed_by__isnull=True).count()
        if self.matcher.unknown_mapping_targets:
            r.warnings.append(
                "mapping targets that are not live stories: "
                + ", ".join(sorted(self.matcher.unknown_mapping_targets)[:REPORT_LIST_LIMIT])
            )


#: Columns the importer writes (``attname`` s); other fields get their model default.
_COMMENT_COLUMNS = (
    "story_id",
    "author_id",
    "author_name",
    "body",
    "status",
    "created_at",
    "verdict",
)
_RECORD_COLUMNS = (
    "source",
    "old_id",
    "old_thread_id",
    "old_parent_id",
    "legacy_author_id",
    "run_id",
    "orphan",
    "comment_id",
)
_LEGACY_AUTHOR_COLUMNS = (
    "key",
    "source",
    "email",
    "display_name",
    "url",
    "claimed_by_id",
    "claimed_at",
)


def fast_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    return_ids: bool = False,
) -> list[int]:
    """Insert ``rows`` (tuples of values for ``columns``, given as attnames) into ``model``'s table.

    Returns the new primary keys, in row order, when ``return_ids`` is set (else ``[]``).
    Values of JSON fields are Python objects. Fields not in ``columns`` get their
    model default, so columns added to the model later still work.

    On PostgreSQL: primary keys are drawn from the table's sequence, then the rows
    go in with ``COPY ... FROM STDIN`` (about 5x faster than ``bulk_create``, which
    compiles a parameterised INSERT through model instances). Elsewhere (SQLite in
    tests): ``bulk_create``. Runs in the caller's transaction.
    """
    if not rows:
        return []
    meta = model._meta
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows]
        )
        return [obj.pk for obj in objs]
    by_attname = {f.attname: f for f in meta.concrete_fields if not f.primary_key}
    given = [by_attname[name] for name in columns]
    rest = [f for f in by_attname.values() if f.attname not in columns]
    json_positions = [i for i, f in enumerate(given) if isinstance(f, models.JSONField)]
    tail = tuple(
        json.dumps(v) if isinstance(f, models.JSONField) and v is not None else v
        for f in rest
        for v in [f.get_default() if f.has_default() else None]
    )
    pk_col = meta.pk.column
    with connection.cursor() as cursor:
        ids: list[int] = []
        if return_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk_col, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
        names = ([pk_col] if return_ids else []) + [f.column for f in given + rest]
        quoted = ", ".join(connection.ops.quote_name(c) for c in names)
        copy_sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({quoted}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            write_row = copy.write_row
            for i, row in enumerate(rows):
                if json_positions:
                    row = list(row)
                    for j in json_positions:
                        if row[j] is not None:
                            row[j] = json.dumps(row[j])
                if return_ids:
                    write_row((ids[i], *row, *tail))
                else:
                    write_row((*row, *tail))
    return ids


def _existing_old_ids(source: str, old_ids: list[str]) -> set[str]:
    """The ``old_ids`` of ``source`` that were imported already (one query)."""
    if connection.vendor != "postgresql":
        return set(
            ImportedComment.objects.filter(source=source, old_id__in=old_ids).values_list(
                "old_id", flat=True
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT old_id FROM {ImportedComment._meta.db_table} "  # noqa: S608 -- model meta
            "WHERE source = %s AND old_id = ANY(%s)",
            [source, old_ids],
        )
        return {row[0] for row in cursor.fetchall()}


def _legacy_authors(keys: list[str]) -> dict[str, tuple[int, int | None]]:
    """``{key: (id, claimed_by_id)}`` of the existing legacy authors among ``keys``."""
    if connection.vendor != "postgresql":
        return {
            k: (pk, user)
            for k, pk, user in LegacyAuthor.objects.filter(key__in=keys).values_list(
                "key", "pk", "claimed_by_id"
            )
        }
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key, id, claimed_by_id FROM {LegacyAuthor._meta.db_table} "  # noqa: S608
            "WHERE key = ANY(%s)",
            [keys],
        )
        return {k: (pk, user) for k, pk, user in cursor.fetchall()}


def _insert_legacy_authors(rows: list[tuple[Any, ...]]) -> dict[str, tuple[int, int | None]]:
    """Create legacy authors (tuples of ``_LEGACY_AUTHOR_COLUMNS``); keys that exist are kept.

    Returns ``{key: (id, claimed_by_id)}`` for every row's key -- the new row, or the
    one a concurrent import created first (``ON CONFLICT DO NOTHING``, then re-read).
    """
    if connection.vendor != "postgresql":
        LegacyAuthor.objects.bulk_create(
            [LegacyAuthor(**dict(zip(_LEGACY_AUTHOR_COLUMNS, row, strict=True))) for row in rows],
            ignore_conflicts=True,
        )
        return _legacy_authors([row[0] for row in rows])
    columns = [list(col) for col in zip(*rows, strict=True)]
    table = LegacyAuthor._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} ({", ".join(_LEGACY_AUTHOR_COLUMNS)})
                SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[],
                                     %s::text[], %s::integer[], %s::timestamptz[])
                ON CONFLICT DO NOTHING
                RETURNING key, id, claimed_by_id""",  # noqa: S608 -- names from model meta
            columns,
        )
        created = {k: (pk, user) for k, pk, user in cursor.fetchall()}
    if len(created) < len(rows):
        created.update(_legacy_authors([row[0] for row in rows if row[0] not in created]))
    return created


def _verified_users(emails: list[str]) -> dict[str, int]:
    """``{lower-cased email: user id}`` for addresses verified in allauth (case-insensitive)."""
    from allauth.account.models import EmailAddress

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT lower(email), user_id FROM {EmailAddress._meta.db_table} "  # noqa: S608
                "WHERE verified AND lower(email) = ANY(%s)",
                [emails],
            )
            return dict(cursor.fetchall())
    rows = (
        EmailAddress.objects.annotate(lower=Lower("email"))
        .filter(lower__in=emails, verified=True)
        .values_list("lower", "user_id")
    )
    return dict(rows)


def link_parents(source: str) -> int:
    """Link imported replies of ``source`` to their parents; flag the rest as orphans.

    Runs ``UPDATE comments SET parent_id = ... FROM importedcomment JOIN ...`` (valid
    on PostgreSQL and SQLite >= 3.33) over ``LINK_CHUNK``-sized id ranges, only for
    replies still without a parent, and only when parent and reply are on the same
    story. Idempotent. Returns the number of replies linked now.
    """
    comment_table = Comment._meta.db_table
    record_table = ImportedComment._meta.db_table
    pending = ImportedComment.objects.filter(
        source=source, old_parent_id__isnull=False, comment__parent__isnull=True
    )
    bounds = list(pending.order_by("pk").values_list("pk", flat=True)[:1]) + list(
        pending.order_by("-pk").values_list("pk", flat=True)[:1]
    )
    linked = 0
    if bounds and connection.vendor == "postgresql":
        # bulk loads leave the planner's statistics stale (it would nest-loop over
        # every row of the source); refresh them so the UPDATE hash-joins.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {record_table}, {comment_table}")
    if bounds:
        low, high = bounds[0], bounds[1]
        sql = f"""
            UPDATE {comment_table} AS c SET parent_id = pc.id
            FROM {record_table} r
            JOIN {record_table} p ON p.source = r.source AND p.old_id = r.old_parent_id
            JOIN {comment_table} pc ON pc.id = p.comment_id
            WHERE r.comment_id = c.id AND r.source = %s AND r.old_parent_id IS NOT NULL
              AND c.parent_id IS NULL AND pc.story_id = c.story_id AND pc.id <> c.id
              AND r.id >= %s AND r.id < %s
        """  # noqa: S608 -- table names come from model meta, values are parameters
        for start in range(low, high + 1, LINK_CHUNK):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [source, start, start + LINK_CHUNK])
                linked += max(cursor.rowcount, 0)
    with transaction.atomic():
        pending.filter(orphan=False).update(orphan=True)
        ImportedComment.objects.filter(
            source=source, orphan=True, comment__parent__isnull=False
        ).update(orphan=False)
    set_thread_depths(source)
    return linked


def set_thread_depths(source: str) -> int:
    """Give every imported comment of ``source`` its reply depth (0 for a top-level one).

    Comments are written before their parents are linked, so they arrive with depth 0;
    the reply-depth limit of new replies (``MASTHEAD_COMMENTS_MAX_DEPTH``) reads this
    field. One recursive query from the source's top-level comments down (PostgreSQL,
    SQLite >= 3.33). Idempotent; returns the number of comments changed.
    """
    comment_table = Comment._meta.db_table
    record_table = ImportedComment._meta.db_table
    sql = f"""
        WITH RECURSIVE tree(id, depth) AS (
            SELECT c.id, 0 FROM {comment_table} c
            JOIN {record_table} r ON r.comment_id = c.id
            WHERE r.source = %s AND c.parent_id IS NULL
            UNION ALL
            SELECT c.id, tree.depth + 1 FROM {comment_table} c
            JOIN tree ON c.parent_id = tree.id
            WHERE tree.depth < 10000
        )
        UPDATE {comment_table} SET depth = tree.depth FROM tree
        WHERE {comment_table}.id = tree.id AND {comment_table}.depth <> tree.depth
    """  # noqa: S608 -- table names come from model meta, values are parameters
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [source])
        return max(cursor.rowcount, 0)


def _mark_run(run: ImportRun, status: str, report: ImportReport, error: str = "") -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.report = report.as_dict()
    run.error = error
    run.save(update_fields=["status", "finished_at", "report", "error"])


def import_comments(opts: ImportOptions) -> ImportReport:
    """Run one import (see module doc) and return its report.

    Raises:
        ImportAborted: the file is malformed (line/column inside); complete batches
            written before the error stay (none in dry-run) and a re-run continues.
        masthead.migration.urls.MappingFileError: the mapping file is unusable
            (raised before anything is written).
        ValueError: unknown format.
    """
    old_hosts = list(opts.old_hosts) + list(
        getattr(settings, "MASTHEAD_MIGRATION_OLD_HOSTS", ()) or ()
    )
    mapping = read_mapping_file(opts.mapping_path, old_hosts=old_hosts) if opts.mapping_path else {}
    if opts.fmt not in ("disqus", "wxr", "csv"):
        raise ValueError(f"unknown format {opts.fmt!r}; use disqus, wxr or csv")
    if opts.dry_run:
        holder: dict[str, ImportReport] = {}
        try:
            with transaction.atomic():
                holder["report"] = _import(opts, old_hosts, mapping)
                raise _DryRunRollback
        except _DryRunRollback:
            pass
        except ImportAborted:
            raise
        report = holder["report"]
        report.run_id = None
        return report
    return _import(opts, old_hosts, mapping)


def _import(opts: ImportOptions, old_hosts: list[str], mapping: dict[str, str]) -> ImportReport:
    run = ImportRun.objects.create(
        source=opts.source, format=opts.fmt, file_name=str(opts.path or "")[:500]
    )
    matcher = StoryMatcher(opts.source, old_hosts, mapping)
    importer = _Importer(opts, run, matcher)
    importer.release_held()  # inline: held rows are deleted only once written
    stats = ParseStats()
    importer.writer = make_writer(opts.background_writer)
    try:
        if not opts.rematch_only:
            importer.consume(_records(opts, stats))
        importer.writer.close()  # every complete batch written (or its error raised)
    except ParseError as exc:
        # drop the incomplete batch; keep complete ones consistent (parents linked)
        importer.buffer, importer.held_buffer, importer.held_threads_buffer = [], [], []
        importer.writer.close()  # the complete batches already handed over are written
        importer.finish()
        _collect_parse_stats(importer.report, stats)
        _mark_run(run, ImportRun.Status.FAILED, importer.report, str(exc))
        raise ImportAborted(exc, importer.report) from exc
    finally:
        importer.writer.cancel()  # no-op after close(); on any other error stop the thread
    importer.finish()
    _collect_parse_stats(importer.report, stats)
    _mark_run(run, ImportRun.Status.COMPLETED, importer.report)
    return importer.report


def _collect_parse_stats(report: ImportReport, stats: ParseStats) -> None:
    report.skipped_in_deleted_threads += stats.dropped_in_deleted_threads
    report.missing_dates = max(report.missing_dates, stats.missing_dates)
    report.warnings = (
        list(stats.warnings[:REPORT_LIST_LIMIT]) + report.warnings
        if stats.warnings
        else report.warnings
    )
