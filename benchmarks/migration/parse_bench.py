"""Time the bare streaming parse of a Disqus export; report posts/s and peak RSS.

Usage::

    python benchmarks/migration/parse_bench.py FILE.xml [--clean]

``--clean`` also runs :func:`clean_comment_html` on every comment (the importer's
per-comment cost). Peak RSS is ``resource.getrusage(RUSAGE_SELF).ru_maxrss``
(KiB on Linux) for the whole process, interpreter and lxml included.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from masthead.migration.html import clean_comment_html
from masthead.migration.parsers.base import ImportedComment, ParseStats
from masthead.migration.parsers.disqus import parse_disqus


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """CLI entry point (see module doc)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--clean", action="store_true", help="also clean every comment body")
    args = ap.parse_args()
    size = os.path.getsize(args.file)
    rss_before = _rss_mib()
    stats = ParseStats()
    t0 = time.perf_counter()
    for record in parse_disqus(args.file, stats=stats):
        if args.clean and isinstance(record, ImportedComment):
            clean_comment_html(record.html)
    elapsed = time.perf_counter() - t0
    rows = [
        ("file", args.file),
        ("file size", f"{size / 2**20:,.1f} MiB"),
        ("threads yielded", f"{stats.threads:,}"),
        ("comments yielded", f"{stats.comments:,}"),
        (
            "deleted / spam comments",
            f"{stats.deleted_comments:,} / {stats.spam_comments:,}",
        ),
        ("dropped (deleted threads)", f"{stats.dropped_in_deleted_threads:,}"),
        ("html cleaning", "yes" if args.clean else "no"),
        ("elapsed", f"{elapsed:,.2f} s"),
        (
            "posts/s",
            f"{(stats.comments + stats.dropped_in_deleted_threads) / elapsed:,.0f}",
        ),
        ("MiB/s", f"{size / 2**20 / elapsed:,.1f}"),
        ("peak RSS before parse", f"{rss_before:,.1f} MiB"),
        ("peak RSS", f"{_rss_mib():,.1f} MiB"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'metric':<{width}} | value\n{'-' * width}-+-{'-' * 30}")
    for key, value in rows:
        print(f"{key:<{width}} | {value}")


if __name__ == "__main__":
    main()
