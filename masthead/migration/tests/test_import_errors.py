"""Importing without surprises: recovery keeps clean posts, guests stay apart, errors
say what is wrong and where, and over-long comments are kept and reported."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError
from django.test import override_settings

from masthead.comments.models import Comment
from masthead.migration.models import ImportedComment, ImportRun, LegacyAuthor
from masthead.migration.parsers import ParseError, ParseStats, parse_disqus

from .conftest import FILES, shared_file

pytestmark = pytest.mark.django_db

DISQUS_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
    '  <thread dsq:id="t1"><link>https://example.com/news/story-1</link></thread>\n'
)


def _post(pid: str, body: str, name: str = "", email: str = "") -> str:
    return (
        f'  <post dsq:id="{pid}"><message><![CDATA[{body}]]></message>'
        "<createdAt>2020-01-01T10:00:00Z</createdAt>"
        f"<author><name>{name}</name><email>{email}</email></author>"
        '<thread dsq:id="t1"/></post>\n'
    )


def test_recover_keeps_the_clean_posts_after_a_broken_one(story_at, run_import):
    story_at("/news/story-1")
    out = run_import(FILES / "recover_middle.xml", "--source", "mid", "--recover")
    bodies = {r.old_id: r.comment.body for r in ImportedComment.objects.filter(source="mid")}
    # p2 is the broken post (unclosed <b>); p3 and p4 after it are whole posts
    assert bodies == {"p1": "first", "p3": "third", "p4": "fourth"}
    # the report names the broken post and the posts read from inside it
    assert "post p2 has no <thread dsq:id>; dropped" in out
    assert "post p3 was read from inside the malformed post p2" in out
    assert "post p4 was read from inside the malformed post p2" in out


def test_recover_middle_without_recover_is_a_positioned_error(story_at, run_import):
    story_at("/news/story-1")
    with pytest.raises(CommandError, match=r"recover_middle\.xml:5:\d+: malformed XML"):
        run_import(FILES / "recover_middle.xml", "--source", "mid")


def test_two_guests_with_the_same_name_stay_two_authors(story_at, run_import, tmp_path):
    story_at("/news/story-1")
    path = tmp_path / "guests.xml"
    path.write_text(
        DISQUS_HEAD
        + _post("a", "From the first Anna.", name="Anna")
        + _post("b", "From the second Anna.", name="Anna")
        + _post("c", "Known reader, first.", name="Bo", email="bo@example.org")
        + _post("d", "Known reader, second.", name="Bo", email="bo@example.org")
        + "</disqus>\n"
    )
    run_import(path, "--source", "guests")
    records = {r.old_id: r for r in ImportedComment.objects.filter(source="guests")}
    assert records["a"].legacy_author_id != records["b"].legacy_author_id
    assert records["c"].legacy_author_id == records["d"].legacy_author_id  # same address
    annas = LegacyAuthor.objects.filter(display_name="Anna")
    assert annas.count() == 2 and not annas.filter(email__isnull=False).exists()
    # a re-run keeps them two (no new rows, no merge)
    run_import(path, "--source", "guests")
    assert LegacyAuthor.objects.filter(display_name="Anna").count() == 2


def test_a_truncated_disqus_file_says_it_is_cut_off_and_where(tmp_path, run_import):
    data = (
        DISQUS_HEAD
        + _post("a", "One.")
        + _post("b", "Two.")
        + '  <post dsq:id="c"><message><![CDATA[Thr'
    )
    path = tmp_path / "cut.xml"
    path.write_text(data)
    lines = data.split("\n")
    with pytest.raises(CommandError) as err:
        run_import(path, "--source", "cut")
    message = str(err.value)
    assert "Unregistered" not in message
    assert f"cut.xml:{len(lines)}:" in message
    assert "cut off" in message and f"line {len(lines)}, column {len(lines[-1]) + 1}" in message


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.9, 0.999])
def test_every_cut_of_a_real_export_is_called_cut_off(cut):
    data = shared_file("disqus/gyk001_disqus2duoshuo_disqus.xml").read_bytes()
    head = data[: int(len(data) * cut)]
    with pytest.raises(ParseError) as err:
        list(parse_disqus(io.BytesIO(head)))
    assert "cut off" in err.value.message
    assert err.value.line == head.count(b"\n") + 1


def test_unknown_format_hints_at_format_option(tmp_path, run_import):
    path = tmp_path / "export.txt"
    path.write_text("hello\n")
    with pytest.raises(CommandError, match=r"--format \{disqus,wxr,csv\}"):
        run_import(path)


@pytest.mark.parametrize(
    "name",
    [
        "disqus/remark42_disqus.xml",
        "disqus/remark42_disqus-deleted-post.xml",
        "disqus/remark42_disqus-deleted-thread.xml",
    ],
)
def test_remark42_exports_import_without_recover(name, run_import):
    path = shared_file(name)
    out = run_import(path, "--source", "r42")
    run = ImportRun.objects.get(source="r42")
    assert run.status == ImportRun.Status.COMPLETED
    assert run.report["comments_read"] >= 1
    assert "quoted the unquoted attribute value '247937687'" in out
    # the post with the bad date is kept, with a warning, not a stop
    assert "invalid createdAt '2011-x09-30T22:48:43Z'; treated as missing" in out


def test_unquoted_attribute_split_across_read_chunks_is_repaired():
    # the start tag sits across the 64 KiB boundary of the reader
    filler = _post("f", "x" * 65400)
    data = (
        DISQUS_HEAD
        + filler
        + "  <post dsq:id=p9><message>Nine</message><thread dsq:id=t1/></post>\n</disqus>\n"
    )
    stats = ParseStats()
    records = list(parse_disqus(io.BytesIO(data.encode()), stats=stats))
    assert [r.source_id for r in records][-1] == "p9"
    assert sum("quoted the unquoted" in w for w in stats.warnings) == 2


def test_undeclared_namespace_prefix_error_names_recover(story_at, run_import):
    story_at("/news/story-1")
    path = FILES / "wxr_undeclared_atom.xml"
    with pytest.raises(CommandError) as err:
        run_import(path, "--source", "atom", "--old-host", "blog.example.org")
    message = str(err.value)
    assert "wxr_undeclared_atom.xml:5:" in message and "atom" in message
    assert "run the same command with --recover" in message
    out = run_import(path, "--source", "atom", "--old-host", "blog.example.org", "--recover")
    assert ImportedComment.objects.filter(source="atom").count() == 1
    assert "Namespace prefix atom" in out


@override_settings(MASTHEAD_COMMENTS_MAX_LENGTH=50)
def test_over_long_comments_are_kept_whole_and_reported(story_at, run_import, tmp_path):
    story_at("/news/story-1")
    long_body = "A long considered reply. " * 4  # 100 characters
    path = tmp_path / "long.xml"
    path.write_text(
        DISQUS_HEAD + _post("long", long_body) + _post("short", "Short one.") + "</disqus>\n"
    )
    out = run_import(path, "--source", "long")
    stored = ImportedComment.objects.get(source="long", old_id="long").comment
    assert stored.body == long_body.strip()
    assert "longer than the 50-character limit (kept whole) | 1" in out
    assert "comment long is 99 characters, over the 50-character limit" in out
    assert ImportRun.objects.get(source="long").report["over_length"] == 1
    assert Comment.objects.count() == 2
