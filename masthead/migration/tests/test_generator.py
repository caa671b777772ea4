"""The benchmark generator writes a file the Disqus parser reads with the counts it promises."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from masthead.migration.parsers.base import ImportedComment, ParseStats
from masthead.migration.parsers.disqus import parse_disqus

GENERATOR = Path(__file__).resolve().parents[3] / "benchmarks" / "migration" / "generate_disqus.py"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_disqus", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_file_matches_expected_counts(tmp_path):
    out = tmp_path / "gen.xml"
    expected = _generator().generate(str(out), posts=3000, threads=200, seed=7)
    stats = ParseStats()
    comments = [r for r in parse_disqus(out, stats=stats) if isinstance(r, ImportedComment)]
    assert stats.threads == expected["threads"] == 200
    assert len(comments) == expected["posts"] - expected["posts_in_deleted_threads"]
    assert stats.dropped_in_deleted_threads == expected["posts_in_deleted_threads"]
    assert sum(c.is_deleted for c in comments) == expected["deleted_posts"]
    assert sum(c.is_spam for c in comments) == expected["spam_posts"]
    assert sum(c.parent_source_id is not None for c in comments) == expected["replies"]
    position = {c.source_id: i for i, c in enumerate(comments)}
    forward = sum(
        1 for i, c in enumerate(comments) if c.parent_source_id and position[c.parent_source_id] > i
    )
    assert forward == expected["forward_replies"] > 0
    assert any(not c.author_name.isascii() for c in comments)
