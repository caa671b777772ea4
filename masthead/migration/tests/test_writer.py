"""Batch writer: order, stop at the first failure, and the background path on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from masthead.migration.writer import BackgroundWriter, InlineWriter, make_writer


def test_background_writer_runs_jobs_in_order_on_another_thread():
    done: list[tuple[int, str]] = []
    writer = BackgroundWriter(depth=1)
    for i in range(20):
        writer.submit(lambda i=i: done.append((i, threading.current_thread().name)))
    writer.close()
    assert [i for i, _ in done] == list(range(20))
    assert {name for _, name in done} == {"comment-import-writer"}


def test_background_writer_stops_at_first_failure_and_raises_it():
    done: list[int] = []

    def job(i: int) -> None:
        if i == 3:
            raise RuntimeError("disk full")
        done.append(i)

    writer = BackgroundWriter(depth=1)
    with pytest.raises(RuntimeError, match="disk full"):
        for i in range(10):
            writer.submit(lambda i=i: job(i))
        writer.close()
    writer.cancel()
    # nothing after the failed batch was written: the database holds a prefix
    assert done == [0, 1, 2]


def test_background_writer_cancel_discards_waiting_jobs():
    release = threading.Event()
    started = threading.Event()
    done: list[int] = []

    def slow() -> None:
        started.set()
        release.wait(5)
        done.append(0)

    writer = BackgroundWriter(depth=2)
    writer.submit(slow)
    started.wait(5)
    writer.submit(lambda: done.append(1))
    writer.submit(lambda: done.append(2))
    threading.Timer(0.2, release.set).start()
    writer.cancel()
    assert done == [0]  # the running job finished; the waiting ones never ran
    with pytest.raises(RuntimeError):
        writer.submit(lambda: None)


def test_inline_writer_runs_at_once():
    done: list[int] = []
    writer = InlineWriter()
    writer.submit(lambda: done.append(1))
    assert done == [1]
    with pytest.raises(ZeroDivisionError):
        writer.submit(lambda: 1 / 0)


@pytest.mark.django_db
def test_no_background_writer_inside_a_transaction():
    # a dry run (or a test) holds a transaction: writes on another connection would escape it
    with transaction.atomic():
        assert isinstance(make_writer(True), InlineWriter)
    assert isinstance(make_writer(False), InlineWriter)


# --- the whole import with the background writer (PostgreSQL only) -------------------

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the background writer runs on PostgreSQL only"
)


@pg_only
@pytest.mark.django_db(transaction=True)
def test_background_import_keeps_parents_is_idempotent_and_resumable(story_at, tmp_path):
    from masthead.comments.models import Comment
    from masthead.migration import importer as mod
    from masthead.migration.importer import ImportOptions, import_comments
    from masthead.migration.models import ImportedComment, LegacyAuthor

    story_at("/news/a")
    path = tmp_path / "many.csv"
    rows = ["id,thread_id,thread_url,parent_id,author_email,created_at,body"]
    for i in range(1, 26):
        parent = str(i + 1) if i % 5 == 0 and i < 25 else ""  # replies before their parents
        rows.append(
            f"{i},s1,/news/a,{parent},r{i % 3}@x.org,2021-01-01T00:00:{i:02d}Z,<p>c{i}</p>"
            "<script>alert(1)</script>"
        )
    path.write_text("\n".join(rows) + "\n")
    opts = ImportOptions(path=path, fmt="csv", source="bg", batch_size=10)
    assert make_writer(True).background  # outside any transaction here

    real = mod._Importer._write_comments
    calls = {"n": 0, "threads": set()}

    def failing(self, batch):  # noqa: ANN001
        calls["n"] += 1
        calls["threads"].add(threading.current_thread().name)
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(self, batch)

    mod._Importer._write_comments = failing
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            import_comments(opts)
    finally:
        mod._Importer._write_comments = real
    assert calls["threads"] == {"comment-import-writer"}
    assert Comment.objects.count() == 10  # one complete batch; the failed one rolled back

    report = import_comments(opts)
    assert (report.imported, report.skipped_duplicate) == (15, 10)
    got = {
        r.old_id: r.comment
        for r in ImportedComment.objects.filter(source="bg").select_related("comment")
    }
    assert len(got) == 25
    for i in (5, 10, 15, 20):
        assert got[str(i)].parent_id == got[str(i + 1)].pk
    assert all("alert" not in c.body and "<" not in c.body for c in got.values())
    assert LegacyAuthor.objects.count() == 3

    again = import_comments(opts)
    assert (again.imported, again.skipped_duplicate) == (0, 25)
    assert Comment.objects.count() == 25


@pg_only
@pytest.mark.django_db(transaction=True)
def test_background_import_of_malformed_file_keeps_complete_batches(story_at, tmp_path):
    from masthead.comments.models import Comment
    from masthead.migration.importer import ImportAborted, ImportOptions, import_comments
    from masthead.migration.models import ImportRun

    story_at("/news/a")
    rows = ["id,thread_id,thread_url,created_at,body"]
    rows += [f"{i},s1,/news/a,2021-01-01T00:00:00Z,c{i}" for i in range(1, 8)]
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([*rows, '8,s1,/news/a,2021-01-01T00:00:00Z,"unterminated']) + "\n")
    with pytest.raises(ImportAborted) as err:
        import_comments(ImportOptions(path=bad, fmt="csv", source="b", batch_size=3))
    assert err.value.parse_error.line == 9
    # the two complete batches handed to the writer were written before the report
    assert Comment.objects.count() == 6 == err.value.report.imported
    assert ImportRun.objects.get(source="b").status == ImportRun.Status.FAILED
    fixed = tmp_path / "fixed.csv"
    fixed.write_text("\n".join([*rows, '8,s1,/news/a,2021-01-01T00:00:00Z,"done"']) + "\n")
    report = import_comments(ImportOptions(path=fixed, fmt="csv", source="b", batch_size=3))
    assert (report.imported, report.skipped_duplicate, Comment.objects.count()) == (2, 6, 8)
