"""Importer: matching, threading, states, idempotence, dry run, holding area, report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.management import CommandError

from masthead.comments.models import Comment, CommentStatus
from masthead.migration.importer import ImportOptions, import_comments
from masthead.migration.models import (
    HeldComment,
    HeldThread,
    ImportedComment,
    ImportRun,
    LegacyAuthor,
)

from .conftest import FILES

pytestmark = pytest.mark.django_db


def _by_old_id(source: str) -> dict[str, Comment]:
    return {
        r.old_id: r.comment
        for r in ImportedComment.objects.filter(source=source).select_related("comment")
    }


def test_forward_reference_keeps_parent_and_states(story_at, run_import):
    story = story_at("/news/story-1")
    out = run_import(FILES / "forward_refs.xml", "--source", "fw")
    got = _by_old_id("fw")
    # p2 came before its parent p1 in the file and still points at it
    assert set(got) == {"p1", "p2"}
    assert got["p2"].parent_id == got["p1"].pk
    assert (got["p1"].depth, got["p2"].depth) == (0, 1)  # the reply-depth limit reads this
    assert got["p1"].status == CommentStatus.DELETED  # imported, not shown
    assert got["p2"].status == CommentStatus.PUBLISHED  # reply to a deleted comment stays visible
    assert got["p2"].story_id == story.pk
    assert got["p2"].body == "Reply written before its parent appears"
    # timestamps kept, stored in UTC (+02:00 source offset converted)
    assert got["p1"].created_at == datetime(2020, 1, 1, 9, 0, tzinfo=UTC)
    assert got["p2"].author_name == "Ünïcode Reader"
    # t2 matches no story: held with its spam comment, nothing dropped
    assert HeldThread.objects.get(source="fw", old_thread_id="t2").url == "https://example.com/t2"
    held = HeldComment.objects.get(source="fw")
    assert held.old_id == "p3" and held.data["is_spam"] is True
    assert "threads unmatched (held)" in out and "t2 https://example.com/t2" in out
    # the report in the run log
    run = ImportRun.objects.get(source="fw")
    assert run.status == ImportRun.Status.COMPLETED
    assert run.report["imported"] == 2 and run.report["held"] == 1
    assert run.report["threads_deleted"] == 1 and run.report["skipped_in_deleted_threads"] == 1
    assert run.report["parents_linked"] == 1 and run.report["orphaned"] == 0


def test_reimport_creates_nothing(story_at, run_import):
    story_at("/news/story-1")
    run_import(FILES / "forward_refs.xml", "--source", "fw")
    counts = (Comment.objects.count(), LegacyAuthor.objects.count(), HeldComment.objects.count())
    out = run_import(FILES / "forward_refs.xml", "--source", "fw")
    assert (
        Comment.objects.count(),
        LegacyAuthor.objects.count(),
        HeldComment.objects.count(),
    ) == counts
    report = ImportRun.objects.filter(source="fw").first().report
    assert report["imported"] == 0 and report["skipped_duplicate"] == 3
    assert "comments imported" in out


def test_dry_run_writes_nothing_and_prints_same_report(story_at, run_import):
    story_at("/news/story-1")
    dry = run_import(FILES / "forward_refs.xml", "--source", "fw", "--dry-run")
    assert Comment.objects.count() == 0
    assert not ImportRun.objects.exists() and not HeldThread.objects.exists()
    assert not LegacyAuthor.objects.exists()
    real = run_import(FILES / "forward_refs.xml", "--source", "fw")
    assert dry.replace("DRY RUN (nothing written)", "write") == real


def test_held_thread_matched_later_with_map(story_at, run_import, tmp_path):
    story_at("/news/story-1")
    other = story_at("/world/t2-story")
    run_import(FILES / "forward_refs.xml", "--source", "fw")
    assert HeldComment.objects.count() == 1
    mapping = tmp_path / "map.csv"
    mapping.write_text("old,new\nhttps://example.com/t2,/world/t2-story/\n")
    out = run_import(FILES / "forward_refs.xml", "--source", "fw", "--map", mapping)
    assert not HeldComment.objects.exists()
    p3 = ImportedComment.objects.get(source="fw", old_id="p3").comment
    assert (p3.story_id, p3.status) == (other.pk, CommentStatus.SPAM)
    assert HeldThread.objects.get(old_thread_id="t2").matched_story_id == other.pk
    assert "held threads released (earlier runs)" in out
    report = ImportRun.objects.filter(source="fw").first().report
    assert report["released_comments"] == 1 and report["imported"] == 1
    # a third run without the map still knows the match and adds nothing
    run_import(FILES / "forward_refs.xml", "--source", "fw")
    assert Comment.objects.count() == 3


def test_held_thread_matched_after_story_published(story_at, run_import):
    run_import(FILES / "forward_refs.xml", "--source", "fw")
    assert Comment.objects.count() == 0 and HeldComment.objects.count() == 3
    story_at("/news/story-1")
    run_import("--rematch", "--source", "fw")
    assert Comment.objects.count() == 2 and HeldComment.objects.count() == 1
    got = _by_old_id("fw")
    assert got["p2"].parent_id == got["p1"].pk
    assert (got["p1"].depth, got["p2"].depth) == (0, 1)  # the reply-depth limit reads this


def test_orphan_reply_kept_top_level_and_reported(story_at, run_import, tmp_path):
    story_at("/news/a")
    path = tmp_path / "orphans.csv"
    path.write_text(
        "id,thread_id,thread_url,parent_id,author_name,created_at,body\n"
        "1,s1,https://example.com/news/a/,,Ann,2021-01-01T00:00:00Z,top\n"
        "2,s1,https://example.com/news/a/,99,Bob,2021-01-02T00:00:00Z,reply to nothing\n"
    )
    out = run_import(path, "--source", "o")
    got = _by_old_id("o")
    assert got["2"].parent_id is None and got["2"].status == CommentStatus.PUBLISHED
    assert ImportedComment.objects.get(source="o", old_id="2").orphan
    assert "2 (parent 99 not found)" in out
    assert ImportRun.objects.get(source="o").report["orphaned"] == 1


def test_url_normalisation_and_old_hosts(story_at, run_import, tmp_path):
    story = story_at("/news/a")
    path = tmp_path / "hosts.csv"
    path.write_text(
        "id,thread_id,thread_url,created_at,body\n"
        "1,s1,http://WWW.oldsite.com/news/a/amp/?utm=x#c,2021-01-01T00:00:00Z,one\n"
        "2,s2,https://elsewhere.org/news/a,2021-01-01T00:00:00Z,two\n"
        "3,s3,https://oldsite.com/news/%61/,2021-01-01T00:00:00Z,three\n"
    )
    run_import(path, "--source", "h", "--old-host", "oldsite.com")
    got = _by_old_id("h")
    assert set(got) == {"1", "3"} and got["1"].story_id == story.pk
    assert HeldThread.objects.get(source="h").old_thread_id == "s2"


def test_pingbacks_skipped_and_counted(story_at, run_import, tmp_path):
    story_at("/news/a")
    path = tmp_path / "pb.csv"
    path.write_text(
        "id,thread_id,thread_url,created_at,body,kind,status\n"
        "1,s1,/news/a,2021-01-01T00:00:00Z,a comment,comment,pending\n"
        "2,s1,/news/a,2021-01-01T00:00:00Z,a pingback,pingback,approved\n"
    )
    out = run_import(path, "--source", "pb")
    assert Comment.objects.get().status == CommentStatus.PENDING
    assert ImportRun.objects.get().report["skipped_pingback"] == 1
    assert "skipped: pingback" in out


def test_xss_cleaned(story_at, run_import, tmp_path):
    story_at("/news/a")
    path = tmp_path / "xss.csv"
    path.write_text(
        "id,thread_id,thread_url,created_at,body\n"
        '1,s1,/news/a,2021-01-01T00:00:00Z,"<p>Nice <script>alert(1)</script>'
        '<img src=x onerror=alert(2)> <a href=""javascript:alert(3)"">link</a></p>"\n'
    )
    run_import(path, "--source", "x")
    body = Comment.objects.get().body
    assert body == "Nice link"
    for bad in ("script", "alert", "onerror", "javascript"):
        assert bad not in body


def test_partial_run_then_rerun_completes(story_at, tmp_path, monkeypatch):
    """A failure after some complete batches leaves those; the re-run finishes the job."""
    story_at("/news/a")
    path = tmp_path / "many.csv"
    rows = ["id,thread_id,thread_url,parent_id,author_email,created_at,body"]
    for i in range(1, 26):
        parent = str(i + 1) if i % 5 == 0 and i < 25 else ""  # forward references
        rows.append(f"{i},s1,/news/a,{parent},r{i % 3}@x.org,2021-01-01T00:00:{i:02d}Z,c{i}")
    path.write_text("\n".join(rows) + "\n")

    from masthead.migration import importer as mod

    real = mod._Importer._write_comments
    calls = {"n": 0}

    def failing(self, batch):  # noqa: ANN001
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(self, batch)

    monkeypatch.setattr(mod._Importer, "_write_comments", failing)
    opts = ImportOptions(path=path, fmt="csv", source="p", batch_size=10)
    with pytest.raises(RuntimeError):
        import_comments(opts)
    assert Comment.objects.count() == 20  # two complete batches, nothing half-written
    monkeypatch.setattr(mod._Importer, "_write_comments", real)
    report = import_comments(opts)
    assert (report.imported, report.skipped_duplicate) == (5, 20)
    assert Comment.objects.count() == 25
    got = _by_old_id("p")
    for i in (5, 10, 15, 20):
        assert got[str(i)].parent_id == got[str(i + 1)].pk
    assert LegacyAuthor.objects.count() == 3


def test_malformed_xml_stops_with_line_and_column(story_at, run_import):
    story_at("/news/story-1")
    with pytest.raises(CommandError, match=r"malformed_inside\.xml:\d+:\d+: ") as err:
        run_import(FILES / "malformed_inside.xml", "--source", "m")
    assert "run the same command again" in str(err.value)
    assert Comment.objects.count() == 0
    assert ImportRun.objects.get(source="m").status == ImportRun.Status.FAILED


def test_malformed_csv_keeps_only_complete_batches(story_at, tmp_path):
    story_at("/news/a")
    path = tmp_path / "bad.csv"
    rows = ["id,thread_id,thread_url,created_at,body"]
    rows += [f"{i},s1,/news/a,2021-01-01T00:00:00Z,c{i}" for i in range(1, 8)]
    rows.append('8,s1,/news/a,2021-01-01T00:00:00Z,"unterminated')
    path.write_text("\n".join(rows) + "\n")
    from masthead.migration.importer import ImportAborted

    opts = ImportOptions(path=path, fmt="csv", source="b", batch_size=3)
    with pytest.raises(ImportAborted) as err:
        import_comments(opts)
    assert err.value.parse_error.line == 9
    assert Comment.objects.count() == 6  # two complete batches of 3; the 7th was not written
    fixed = tmp_path / "fixed.csv"
    fixed.write_text("\n".join(rows[:-1] + ['8,s1,/news/a,2021-01-01T00:00:00Z,"done"']) + "\n")
    report = import_comments(ImportOptions(path=fixed, fmt="csv", source="b", batch_size=3))
    assert (report.imported, report.skipped_duplicate, Comment.objects.count()) == (2, 6, 8)


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml", "xxe_no_decl.xml"])
def test_xml_bomb_and_xxe_fail_fast(name, run_import):
    with pytest.raises(CommandError, match=r"DOCTYPE|DTD|entit") as err:
        run_import(FILES / name, "--format", "disqus", "--source", "bomb")
    assert f"{name}:" in str(err.value)
    assert not Comment.objects.exists()


def test_bad_arguments_are_clear_errors(run_import, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_import(tmp_path / "missing.xml")
    bad_map = tmp_path / "m.csv"
    bad_map.write_text("from,to\n")
    with pytest.raises(CommandError, match="mapping file: .*header"):
        run_import(FILES / "forward_refs.xml", "--map", bad_map)
    with pytest.raises(CommandError, match="unknown column"):
        run_import(FILES / "comments.csv", "--columns", "nope=x")
    with pytest.raises(CommandError, match="cannot tell"):
        (tmp_path / "x.json").write_text("{}")
        run_import(tmp_path / "x.json")


def test_imported_comments_show_on_cached_story_pages_at_once(
    story_at, run_import, client, django_capture_on_commit_callbacks
):
    story = story_at("/news/story-1", access_level="free")
    before = client.get(story.url)
    assert client.get(story.url)["X-Masthead-Cache"] == "hit"
    assert "Reply written before its parent appears" not in before.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        run_import(FILES / "forward_refs.xml", "--source", "fw")
    after = client.get(story.url).content.decode()
    assert "Reply written before its parent appears" in after
