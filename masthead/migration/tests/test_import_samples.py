"""Every real export in ../shared/data imports completely, and a second run changes nothing.

Counts are those the parser tests established (test_disqus.py / test_wxr.py REAL
tables, MANIFEST.md): comments imported = comments yielded minus pingbacks and
trackbacks; Disqus posts whose thread is missing from the file are kept (held).
"""

from __future__ import annotations

import pytest

from masthead.comments.models import Comment
from masthead.migration.models import HeldComment, ImportedComment, ImportRun, LegacyAuthor
from masthead.migration.parsers import ImportedThread, parse_disqus, parse_wxr

from .conftest import shared_file

pytestmark = pytest.mark.django_db

# file, format, extra options, comments imported, comments held (no thread in file)
SAMPLES = [
    ("disqus/gyk001_disqus2duoshuo_disqus.xml", "disqus", (), 17, 6),
    ("disqus/isso_disqus.xml", "disqus", (), 5, 1),
    ("disqus/schnack_disqus.xml", "disqus", (), 5, 0),
    ("disqus/tl3shi_hexo-tanglei_disqus.xml", "disqus", (), 2693, 0),
    # Remark42's exports: no --recover needed (the unquoted attribute is repaired, and
    # the post with the bad date is kept with a warning)
    ("disqus/remark42_disqus.xml", "disqus", (), 5, 0),
    ("disqus/remark42_disqus-deleted-post.xml", "disqus", (), 5, 0),
    ("disqus/remark42_disqus-deleted-thread.xml", "disqus", (), 1, 0),
    ("wxr/cc-labs-blog_wordpress.xml", "wxr", (), 119, 0),
    ("wxr/mythz-blog_wordpress-export.xml", "wxr", (), 72, 0),
    ("wxr/isso_wordpress.xml", "wxr", (), 8, 0),
    ("wxr/wpimporter_theme-unit-test-data.xml", "wxr", (), 29, 0),
    ("wxr/wpimporter_a11y-unit-test-data.xml", "wxr", (), 25, 0),
    ("wxr/wpimporter_valid-wxr-1.0.xml", "wxr", (), 1, 0),
    ("wxr/wpimporter_valid-wxr-1.1.xml", "wxr", (), 1, 0),
    ("wxr/wpimporter_small-export.xml", "wxr", (), 1, 0),
    ("wxr/wpimporter_slashes.xml", "wxr", (), 1, 0),
    ("wxr/wpimporter_e2e_wxr-comprehensive.xml", "wxr", (), 1, 0),
    ("wxr/wpimporter_test-serialized-comment-meta.xml", "wxr", (), 1, 0),
    ("wxr/wpimporter_wxr-with-sub-data.xml", "wxr", (), 1, 0),
    ("wxr/wpimporter_wxr-utf-8-challenges.xml", "wxr", (), 0, 0),
    ("other-comments/hippo-jessy_disqus-import-format-wxr.xml", "wxr", (), 12, 0),
]


def _state() -> tuple[int, ...]:
    return (
        Comment.objects.count(),
        ImportedComment.objects.count(),
        LegacyAuthor.objects.count(),
        HeldComment.objects.count(),
        Comment.objects.filter(parent__isnull=False).count(),
        Comment.objects.filter(author__isnull=False).count(),
    )


@pytest.mark.parametrize(("name", "fmt", "extra", "imported", "held"), SAMPLES)
def test_real_sample_imports_once(name, fmt, extra, imported, held, story_at, run_import, tmp_path):
    path = shared_file(name)
    story_at("/news/sample")
    # map every thread of the file (by its id) to the one story
    parse = parse_disqus if fmt == "disqus" else parse_wxr
    kwargs = {"recover": "--recover" in extra}
    threads = [r for r in parse(path, **kwargs) if isinstance(r, ImportedThread)]
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "old,new\n" + "".join(f'"{t.source_id}",/news/sample/\n' for t in threads if t.source_id)
    )
    out = run_import(path, "--format", fmt, "--source", "s", "--map", mapping, *extra)
    run = ImportRun.objects.get(source="s")
    assert run.status == ImportRun.Status.COMPLETED, out
    assert (run.report["imported"], run.report["held"]) == (imported, held), out
    assert Comment.objects.count() == imported
    # threading: every reply whose parent is in the file points at it; the rest are orphans
    records = ImportedComment.objects.filter(source="s").select_related("comment")
    by_old = {r.old_id: r.comment for r in records}
    for r in records:
        if r.old_parent_id and r.old_parent_id in by_old:
            assert r.comment.parent_id == by_old[r.old_parent_id].pk
            assert not r.orphan
        elif r.old_parent_id:
            assert r.orphan and r.comment.parent_id is None
    assert run.report["orphaned"] == sum(r.orphan for r in records)
    # nothing dangerous survives
    assert not Comment.objects.filter(body__icontains="<script").exists()
    assert not Comment.objects.filter(body__icontains="javascript:").exists()
    before = _state()
    out2 = run_import(path, "--format", fmt, "--source", "s", "--map", mapping, *extra)
    assert _state() == before
    second = ImportRun.objects.filter(source="s").first().report
    assert second["imported"] == 0
    assert second["skipped_duplicate"] == imported + held, out2


def test_tl3shi_replies_and_dates(story_at, run_import, tmp_path):
    """The largest real export: 439 replies all linked; dates kept exactly (UTC)."""
    path = shared_file("disqus/tl3shi_hexo-tanglei_disqus.xml")
    story_at("/news/sample")
    records = list(parse_disqus(path))
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "old,new\n"
        + "".join(
            f'"{t.source_id}",/news/sample/\n' for t in records if isinstance(t, ImportedThread)
        )
    )
    run_import(path, "--source", "tl", "--map", mapping)
    assert Comment.objects.filter(parent__isnull=False).count() == 439
    first = next(r for r in records if not isinstance(r, ImportedThread))
    stored = ImportedComment.objects.get(source="tl", old_id=first.source_id).comment
    assert stored.created_at == first.created_at


def test_malformed_disqus_error_has_position(run_import, tmp_path):
    from django.core.management import CommandError

    data = shared_file("disqus/remark42_disqus.xml").read_bytes()
    broken = tmp_path / "broken.xml"
    broken.write_bytes(data.replace(b"<isSpam>123</isSpam>", b"<isSpam>123</isSpm>"))
    with pytest.raises(CommandError, match=r"broken\.xml:139:\d+: malformed XML"):
        run_import(broken, "--source", "r")
    assert not Comment.objects.exists()


def test_wxr_malformed_sample_is_a_clear_error(run_import):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=r"wpimporter_malformed\.xml:\d+:\d+: "):
        run_import(shared_file("wxr/wpimporter_malformed.xml"), "--source", "w")
