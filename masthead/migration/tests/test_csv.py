"""CSV parser: documented layout, column mapping, dates, error positions."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from masthead.migration.parsers.base import ImportedComment, ParseError, ParseStats
from masthead.migration.parsers.csv import parse_column_map, parse_csv, parse_date

from .conftest import FILES, shared_file


def test_documented_layout():
    stats = ParseStats()
    records = list(parse_csv(FILES / "comments.csv", stats=stats))
    assert [type(r).__name__ for r in records] == [
        "ImportedThread",
        "ImportedComment",
        "ImportedComment",
        "ImportedThread",
        "ImportedComment",
    ]
    t1, c1, c2, _t2, c3 = records
    assert (t1.source_id, t1.url, t1.title) == ("s1", "https://example.com/a/", "A")
    assert c1.html == '<p>Hello, "world"</p>' and c1.author_email == "ann@example.com"
    assert c1.created_at == datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC) and c1.is_approved
    assert c2.parent_source_id == "1" and c2.html == "multi\nline" and not c2.is_approved
    assert c3.parent_source_id is None and c3.is_spam and c3.author_email is None
    assert c3.created_at == datetime.fromtimestamp(1614834367, UTC)
    assert stats.invalid_emails == 1 and stats.threads == 2 and stats.comments == 3


def test_column_mapping_from_cli_string():
    columns = parse_column_map("id=comment_id, thread_id=story,body=message,created_at=when")
    assert columns == {
        "id": "comment_id",
        "thread_id": "story",
        "body": "message",
        "created_at": "when",
    }
    data = "comment_id,story,message,when\nc1,x,hi,2021-03-04\n"
    (thread, comment) = list(parse_csv(io.StringIO(data), columns=columns))
    assert thread.source_id == "x" and comment.source_id == "c1" and comment.html == "hi"
    assert comment.created_at == datetime(2021, 3, 4, tzinfo=UTC)


@pytest.mark.parametrize("spec", ["id", "id=", "nosuch=x", "=x"])
def test_bad_column_map(spec):
    with pytest.raises(ValueError):
        parse_column_map(spec)


def test_mapped_column_missing_from_header():
    with pytest.raises(ParseError, match="'message'") as err:
        list(parse_csv(io.StringIO("a,b\n1,2\n"), columns={"body": "message"}))
    assert err.value.line == 1


def test_truncated_last_row():
    columns = parse_column_map("id=comment_id,thread_id=story,body=message,created_at=when")
    got = []
    with pytest.raises(ParseError, match="truncated") as err:
        got.extend(parse_csv(FILES / "mapped_truncated.csv", columns=columns))
    assert err.value.line == 4
    assert [r.source_id for r in got if isinstance(r, ImportedComment)] == ["c1", "c2"]


def test_unterminated_quote_has_start_line():
    columns = parse_column_map(
        "id=comment_id,thread_id=story,body=message,created_at=when,status=state"
    )
    with pytest.raises(ParseError, match="malformed CSV") as err:
        list(parse_csv(FILES / "mapped_unterminated.csv", columns=columns, delimiter=";"))
    assert err.value.line == 3


def test_bad_date_points_at_line_and_column():
    data = "id,thread_id,created_at,body\n1,t,2021-01-01,ok\n2,t,03/04/2021,x\n"
    with pytest.raises(ParseError) as err:
        list(parse_csv(io.StringIO(data)))
    assert (err.value.line, err.value.column) == (3, 3)
    records = list(
        parse_csv(
            io.StringIO(data.replace("2021-01-01", "01/01/2021")),
            date_format="%d/%m/%Y",
        )
    )
    assert records[-1].created_at == datetime(2021, 4, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-03-04T05:06:07+01:00", datetime(2021, 3, 4, 4, 6, 7, tzinfo=UTC)),
        ("2021-03-04 05:06", datetime(2021, 3, 4, 5, 6, tzinfo=UTC)),
        ("2021/03/04 05:06:07", datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("20010102", datetime(2001, 1, 2, tzinfo=UTC)),
        ("Thu, 04 Mar 2021 05:06:07 +0000", datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)),
    ],
)
def test_date_formats(text, expected):
    assert parse_date(text) == expected


def test_missing_required_column():
    with pytest.raises(ParseError, match="body"):
        list(parse_csv(io.StringIO("id,thread_id,created_at\n")))


def test_real_truncated_csv_reports_last_line():
    """News headlines CSV cut mid-row (MANIFEST 'ODD'): all 26,016 full rows stream, then a clear error."""
    path = shared_file("news/toi-india-news-headlines_26k_truncated.csv")
    columns = parse_column_map(
        "created_at=publish_date,thread_id=headline_category,body=headline_text"
    )
    stats = ParseStats()
    with pytest.raises(ParseError, match="truncated") as err:
        for _ in parse_csv(path, columns=columns, stats=stats):
            pass
    assert err.value.line == 26018 and stats.comments == 26016
