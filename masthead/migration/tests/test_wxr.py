"""WXR parser: real WordPress exports (1.0/1.1/1.2), quirks and errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from masthead.migration.parsers.base import (
    ImportedComment,
    ImportedThread,
    ParseError,
    ParseStats,
)
from masthead.migration.parsers.wxr import parse_wxr

from .conftest import FILES, shared_file

# file, threads (items with comments), comments, pingbacks, trackbacks, replies, unapproved
REAL = [
    ("wxr/cc-labs-blog_wordpress.xml", 80, 181, 62, 0, 3, 0),
    ("wxr/mythz-blog_wordpress-export.xml", 14, 91, 19, 0, 16, 0),
    ("wxr/isso_wordpress.xml", 2, 8, 0, 0, 3, 0),
    ("wxr/wpimporter_theme-unit-test-data.xml", 7, 33, 2, 2, 10, 3),
    ("wxr/wpimporter_a11y-unit-test-data.xml", 5, 29, 4, 0, 9, 0),
    ("wxr/wpimporter_valid-wxr-1.0.xml", 1, 1, 0, 0, 0, 0),
    ("wxr/wpimporter_valid-wxr-1.1.xml", 1, 1, 0, 0, 0, 0),
    ("wxr/wpimporter_small-export.xml", 1, 1, 0, 0, 0, 0),
    ("wxr/wpimporter_slashes.xml", 1, 1, 0, 0, 0, 0),
    ("wxr/wpimporter_e2e_wxr-comprehensive.xml", 1, 1, 0, 0, 0, 0),
    ("wxr/wpimporter_test-serialized-comment-meta.xml", 1, 1, 0, 0, 0, 0),
    ("wxr/wpimporter_wxr-with-sub-data.xml", 1, 1, 0, 0, 0, 0),
    ("wxr/wpimporter_wxr-utf-8-challenges.xml", 0, 0, 0, 0, 0, 0),
    ("other-comments/hippo-jessy_disqus-import-format-wxr.xml", 4, 12, 0, 0, 4, 0),
]


@pytest.mark.parametrize(
    ("name", "threads", "comments", "pingbacks", "trackbacks", "replies", "unapproved"),
    REAL,
)
def test_real_exports_counts(name, threads, comments, pingbacks, trackbacks, replies, unapproved):
    stats = ParseStats()
    records = list(parse_wxr(shared_file(name), stats=stats))
    got_t = [r for r in records if isinstance(r, ImportedThread)]
    got_c = [r for r in records if isinstance(r, ImportedComment)]
    assert (len(got_t), len(got_c)) == (threads, comments)
    assert sum(c.kind == "pingback" for c in got_c) == pingbacks == stats.pingbacks
    assert sum(c.kind == "trackback" for c in got_c) == trackbacks
    assert sum(c.parent_source_id is not None for c in got_c) == replies
    assert sum(not c.is_approved for c in got_c) == unapproved
    ids = {t.source_id for t in got_t}
    assert all(c.thread_source_id in ids for c in got_c)
    assert all(c.created_at is None or c.created_at.tzinfo is UTC for c in got_c)


def test_wxr_10_fields():
    records = list(parse_wxr(shared_file("wxr/wpimporter_valid-wxr-1.0.xml")))
    thread, comment = records
    assert thread.source_id and thread.url.startswith("http")
    assert comment.kind == "comment" and comment.parent_source_id is None and comment.is_approved


def test_theme_unit_https_namespace_and_gmt_date():
    """Theme Unit Test data uses https://wordpress.org/export/1.2/ and local != gmt dates."""
    comments = [
        r
        for r in parse_wxr(shared_file("wxr/wpimporter_theme-unit-test-data.xml"))
        if isinstance(r, ImportedComment)
    ]
    c169 = next(c for c in comments if c.source_id == "169")
    assert c169.created_at == datetime(
        2007, 9, 4, 17, 48, 51, tzinfo=UTC
    )  # comment_date_gmt, not comment_date


def test_comment_without_any_date_is_kept_with_warning():
    stats = ParseStats()
    comments = [
        r
        for r in parse_wxr(shared_file("wxr/wpimporter_wxr-with-sub-data.xml"), stats=stats)
        if isinstance(r, ImportedComment)
    ]
    assert comments[0].created_at is None and comments[0].html == "This is a comment with meta."
    assert stats.missing_dates == 1


def test_serialized_commentmeta_does_not_leak_into_fields():
    (_, comment) = list(parse_wxr(shared_file("wxr/wpimporter_test-serialized-comment-meta.xml")))
    assert "a:1:{" not in comment.html and comment.author_email == "wapuu@wordpress.example"


def test_capitalised_email_is_lowercased():
    comments = [
        r
        for r in parse_wxr(shared_file("wxr/cc-labs-blog_wordpress.xml"))
        if isinstance(r, ImportedComment)
    ]
    assert all(c.author_email is None or c.author_email == c.author_email.lower() for c in comments)


def test_quirks_sample():
    stats = ParseStats()
    records = list(
        parse_wxr(FILES / "wxr_quirks.xml", stats=stats, local_tz=timezone(timedelta(hours=2)))
    )
    trashed, live, c81, c82 = records
    assert trashed.is_deleted and stats.dropped_in_deleted_threads == 1
    assert live.is_closed and live.identifiers == ("https://example.com/?p=8", "live")
    assert c81.created_at == datetime(2010, 6, 1, 10, 0, tzinfo=UTC)  # comment_date in +02:00
    assert c81.is_spam and not c81.is_approved and c81.author_email == "local@example.com"
    assert "Line one\nLine two\n\nPara two" == c81.html
    assert c82.is_deleted and c82.kind == "trackback" and c82.parent_source_id == "81"
    assert any("comment_date" in w for w in stats.warnings)


def test_malformed_wxr_line_and_column():
    with pytest.raises(ParseError) as err:
        list(parse_wxr(shared_file("wxr/wpimporter_malformed.xml")))
    assert (err.value.line, err.value.column) == (90, 11)
    assert "notachanneltag" in err.value.message


def test_dtd_rejected():
    with pytest.raises(ParseError, match="DOCTYPE"):
        list(parse_wxr(FILES / "xxe.xml"))


def test_disqus_file_is_not_wxr():
    with pytest.raises(ParseError):
        list(parse_wxr(FILES / "forward_refs.xml"))
