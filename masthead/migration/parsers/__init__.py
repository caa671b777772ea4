"""Comment-export parsers: the interface the Django ``import_comments`` command calls.

Every parser is a generator ``parse_X(source, *, stats=None, ...) -> Iterator[Record]``
where ``Record = ImportedThread | ImportedComment`` (see :mod:`.base`):

* a comment always comes after the thread it references;
* a reply may come *before* its parent (Disqus), so link parents after the stream
  ends (or with a deferred-update pass), using ``parent_source_id``;
* ``stats`` (a :class:`ParseStats`) is filled in while the stream is consumed;
* a :class:`ParseError` (with ``line`` and ``column``) can be raised mid-stream:
  import inside a transaction, or record progress, accordingly.

Nothing here imports Django.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from .base import (
    ImportedComment,
    ImportedThread,
    ParseError,
    ParseStats,
    Record,
    normalise_email,
)
from .csv import parse_column_map, parse_csv
from .disqus import parse_disqus
from .wxr import parse_wxr

Format = Literal["disqus", "wxr", "csv"]

__all__ = [
    "Format",
    "ImportedComment",
    "ImportedThread",
    "ParseError",
    "ParseStats",
    "Record",
    "detect_format",
    "normalise_email",
    "parse_column_map",
    "parse_csv",
    "parse_disqus",
    "parse_export",
    "parse_wxr",
]


def detect_format(path: str | Path) -> Format:
    """Guess an export's format from its first 8 KiB.

    ``<disqus`` -> ``"disqus"``; ``<rss`` with a ``wordpress.org/export/`` namespace
    -> ``"wxr"``; otherwise ``"csv"`` if the file name ends in ``.csv``/``.tsv``.

    Raises:
        ValueError: the format cannot be told (pass it explicitly).
    """
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if b"<disqus" in head:
        return "disqus"
    if b"<rss" in head and b"wordpress.org/export/" in head:
        return "wxr"
    if str(path).lower().endswith((".csv", ".tsv")):
        return "csv"
    raise ValueError(
        f"cannot tell the export format of {path}: its start has no <disqus> root and no "
        "WordPress export namespace, and its name does not end in .csv or .tsv"
    )


def parse_export(path: str | Path, fmt: Format | None = None, **options: Any) -> Iterator[Record]:
    """Dispatch to :func:`parse_disqus`, :func:`parse_wxr` or :func:`parse_csv`.

    ``fmt`` defaults to :func:`detect_format`; ``options`` go to the parser
    (``stats``, ``recover``, ``keep_orphans``, ``local_tz``, ``columns``, ...).
    """
    fmt = fmt or detect_format(path)
    parser = {"disqus": parse_disqus, "wxr": parse_wxr, "csv": parse_csv}[fmt]
    return parser(path, **options)
