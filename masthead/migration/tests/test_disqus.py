"""Disqus parser: real exports, forward references, safety and error positions."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

import pytest

from masthead.migration.parsers.base import (
    ImportedComment,
    ImportedThread,
    ParseError,
    ParseStats,
)
from masthead.migration.parsers.disqus import parse_disqus

from .conftest import FILES, shared_file


def _split(records):
    threads = [r for r in records if isinstance(r, ImportedThread)]
    comments = [r for r in records if isinstance(r, ImportedComment)]
    return threads, comments


def _assert_threads_first(records):
    seen: set[str] = set()
    for r in records:
        if isinstance(r, ImportedThread):
            seen.add(r.source_id)
        else:
            assert r.thread_source_id in seen, f"comment {r.source_id} before its thread"


# file, threads, comments yielded, deleted, spam, replies, orphans dropped
REAL = [
    ("disqus/gyk001_disqus2duoshuo_disqus.xml", 71, 17, 11, 0, 3, 6),
    ("disqus/isso_disqus.xml", 3, 5, 1, 0, 2, 1),
    ("disqus/schnack_disqus.xml", 2, 5, 0, 0, 3, 0),
    ("disqus/tl3shi_hexo-tanglei_disqus.xml", 569, 2693, 6, 0, 439, 0),
]


@pytest.mark.parametrize(
    ("name", "n_threads", "n_comments", "deleted", "spam", "replies", "orphans"), REAL
)
def test_real_exports_counts(name, n_threads, n_comments, deleted, spam, replies, orphans):
    stats = ParseStats()
    records = list(parse_disqus(shared_file(name), stats=stats))
    threads, comments = _split(records)
    assert (len(threads), len(comments)) == (n_threads, n_comments)
    assert sum(c.is_deleted for c in comments) == deleted
    assert sum(c.is_spam for c in comments) == spam
    assert sum(c.parent_source_id is not None for c in comments) == replies
    assert stats.dropped_orphans == orphans
    assert (stats.threads, stats.comments, stats.deleted_comments) == (
        n_threads,
        n_comments,
        deleted,
    )
    _assert_threads_first(records)
    assert all(c.created_at is not None and c.created_at.tzinfo is UTC for c in comments)


def test_gyk001_all_posts_with_orphans_kept():
    """MANIFEST: 23 posts, 17 deleted; 6 of them point at threads not in the file."""
    records = list(
        parse_disqus(shared_file("disqus/gyk001_disqus2duoshuo_disqus.xml"), keep_orphans=True)
    )
    threads, comments = _split(records)
    assert len(comments) == 23
    assert sum(c.is_deleted for c in comments) == 17
    assert len(threads) == 71 + 4  # stub threads for the four undefined thread ids
    _assert_threads_first(records)


def test_isso_fields_and_orphan():
    stats = ParseStats()
    threads, comments = _split(
        list(parse_disqus(shared_file("disqus/isso_disqus.xml"), stats=stats))
    )
    by_id = {c.source_id: c for c in comments}
    assert "6" not in by_id  # orphan pointing at thread 1337
    assert by_id["5"].parent_source_id == "4"
    assert by_id["11"].parent_source_id == "9" and by_id["9"].is_deleted and by_id["9"].html == ""
    assert by_id["4"].author_email == "reader1@example.org"
    assert by_id["4"].created_at == datetime(2013, 10, 10, 19, 20, 29, tzinfo=UTC)
    t7 = next(
        t for t in threads if t.source_id == "7"
    )  # defined after the posts, empty title and id
    assert t7.title == "" and t7.identifiers == ()
    assert [c.html for c in comments if c.thread_source_id == "7"] == [
        "<p>Message from thread with empty title and id</p>"
    ]
    assert any("1337" in w for w in stats.warnings)


def test_remark42_strict_repairs_the_unquoted_attribute():
    """The fixture has a stray backtick and an unquoted attribute on line 147 (both
    repaired with a warning) and a post with an invalid date (kept, date missing)."""
    stats = ParseStats()
    threads, got = _split(
        list(parse_disqus(shared_file("disqus/remark42_disqus.xml"), stats=stats))
    )
    assert stats.skipped_prefix_bytes == 1
    assert "skipped 1 byte(s)" in stats.warnings[0]
    assert "line 147: quoted the unquoted attribute value '247937687'" in stats.warnings
    bad = next(c for c in got if c.source_id == "x299986073")
    assert bad.created_at is None and bad.html == "some bad comment"
    assert stats.missing_dates == 1


@pytest.mark.parametrize(
    ("name", "comments", "deleted", "dropped_in_deleted"),
    [
        ("disqus/remark42_disqus.xml", 5, 0, 0),
        ("disqus/remark42_disqus-deleted-post.xml", 5, 1, 0),
        ("disqus/remark42_disqus-deleted-thread.xml", 1, 0, 4),
    ],
)
@pytest.mark.parametrize("recover", [False, True])
def test_remark42_strict_and_recover_mode(name, comments, deleted, dropped_in_deleted, recover):
    stats = ParseStats()
    threads, got = _split(list(parse_disqus(shared_file(name), stats=stats, recover=recover)))
    assert len(threads) == 2
    assert sum(t.is_closed for t in threads) == 1
    assert len(got) == comments
    assert sum(c.is_deleted for c in got) == deleted
    assert stats.dropped_in_deleted_threads == dropped_in_deleted
    assert stats.dropped_no_id == 1  # "This comment had no ID"
    if comments == 5:
        assert sum(c.is_spam for c in got) == 1
        assert sum(c.author_email is None for c in got) == 1  # the empty <email/>


def test_forward_references_and_late_threads():
    stats = ParseStats()
    records = list(parse_disqus(FILES / "forward_refs.xml", stats=stats))
    _assert_threads_first(records)
    threads, comments = _split(records)
    by_id = {c.source_id: c for c in comments}
    assert set(by_id) == {"p1", "p2", "p3"}  # p4 is in deleted thread t3
    assert by_id["p2"].parent_source_id == "p1"
    assert records.index(by_id["p2"]) < records.index(by_id["p1"])
    assert by_id["p2"].author_email == "reader@example.org"
    assert by_id["p2"].author_name == "Ünïcode Reader"
    assert by_id["p1"].author_email is None and by_id["p1"].is_deleted
    assert by_id["p1"].created_at == datetime(2020, 1, 1, 9, 0, tzinfo=UTC)
    assert by_id["p3"].is_spam and not by_id["p3"].is_approved
    assert stats.dropped_in_deleted_threads == 1 and stats.invalid_emails == 1
    t1 = threads[0]
    assert (t1.identifiers, t1.is_closed, t1.title) == (
        ("story-1",),
        True,
        "Story 1 — café",
    )
    assert [t.source_id for t in threads if t.is_deleted] == ["t3"]
    assert stats.skipped_prefix_bytes == 2  # leading spaces before <?xml


def test_file_object_source():
    data = (FILES / "forward_refs.xml").read_bytes()
    assert len(list(parse_disqus(io.BytesIO(data)))) == len(
        list(parse_disqus(FILES / "forward_refs.xml"))
    )


def test_malformed_inside_gives_line_and_column():
    with pytest.raises(ParseError) as err:
        list(parse_disqus(FILES / "malformed_inside.xml"))
    assert err.value.line == 5 and err.value.column > 0
    assert "malformed XML" in str(err.value) and ":5:" in str(err.value)


def test_markup_before_declaration_is_not_tolerated():
    with pytest.raises(ParseError) as err:
        list(parse_disqus(FILES / "bad_prefix.xml"))
    assert (err.value.line, err.value.column) == (1, 1)


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml", "xxe_no_decl.xml"])
def test_dtd_bomb_and_xxe_rejected_fast(name):
    start = time.perf_counter()
    with pytest.raises(ParseError, match="DOCTYPE") as err:
        list(parse_disqus(FILES / name))
    assert time.perf_counter() - start < 1.0
    assert err.value.line == 2 and err.value.column == 1
    assert "root:" not in str(err.value)


def test_entity_bomb_in_stream_rejected_even_without_prescan():
    """If the DOCTYPE hides past our prolog scan, libxml2's own guards still hold."""
    bomb = (FILES / "billion_laughs.xml").read_bytes().replace(b'<?xml version="1.0"?>\n', b"")
    start = time.perf_counter()
    with pytest.raises(ParseError):
        list(parse_disqus(io.BytesIO(bomb)))
    assert time.perf_counter() - start < 1.0


def test_not_a_disqus_file():
    with pytest.raises(ParseError, match="not a Disqus export|no Disqus"):
        list(parse_disqus(FILES / "wxr_quirks.xml"))


def test_error_position_counts_skipped_leading_lines():
    """Leading blank lines before <?xml are skipped but still counted in error lines."""
    body = (FILES / "malformed_inside.xml").read_bytes()
    stats = ParseStats()
    with pytest.raises(ParseError) as err:
        list(parse_disqus(io.BytesIO(b"\xef\xbb\xbf\n\n \t" + body), stats=stats))
    assert err.value.line == 5 + 2
    assert stats.skipped_prefix_bytes == 7 and "UTF-8 BOM" in stats.warnings[0]
