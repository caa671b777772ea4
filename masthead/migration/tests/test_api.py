"""Top-level parser interface: format detection and dispatch."""

from __future__ import annotations

import pytest

from masthead.migration.parsers import ImportedComment, detect_format, parse_export

from .conftest import FILES


def test_detect_and_dispatch():
    assert detect_format(FILES / "forward_refs.xml") == "disqus"
    assert detect_format(FILES / "wxr_quirks.xml") == "wxr"
    assert detect_format(FILES / "comments.csv") == "csv"
    comments = [r for r in parse_export(FILES / "comments.csv") if isinstance(r, ImportedComment)]
    assert [c.source_id for c in comments] == ["1", "2", "3"]


def test_unknown_format(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{}")
    with pytest.raises(ValueError, match="cannot tell"):
        detect_format(path)
