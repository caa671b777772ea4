"""Benchmark the Disqus comment import into PostgreSQL: time, posts/s, peak RSS.

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/masthead_bench \\
        python benchmarks/migration/import_bench.py [--posts 1000000] [--threads N] \\
        [--file existing.xml] [--stories 100] [--no-parse-baseline] [--reimport]

Steps: generate a Disqus export with ``generate_disqus.py`` (``--posts``; threads
default to posts/10, i.e. 1M posts over 100k threads), create the database if it
is missing and migrate it, publish ``--stories`` stories and write an ``old,new``
mapping of every thread identifier (``story-<i>``) to one of them (creating 100k
Wagtail pages would take longer than the import itself), empty the comment and
migration tables, then time ``import_comments`` in this process. The bare parse
(+ HTML cleaning) baseline runs first in a subprocess (``parse_bench.py --clean``)
so its RSS is separate. Peak RSS is ``ru_maxrss`` of the importing process,
interpreter, Django and lxml included. Targets (issue 6): 1M posts in < 10 min on
a 2-core machine, < 300 MB peak RSS.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _backend_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) of PostgreSQL backend ``pid``, from ``/proc`` (same host only)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _BackendCPU:
    """Sum the CPU time of every PostgreSQL backend this process opens (same host only).

    The importer's background writer opens (and closes) its own connection, so the
    backends are learnt from Django's ``connection_created`` signal and their
    ``/proc`` CPU counters sampled every 0.2 s (a backend's last <= 0.2 s can be missed).
    """

    def __init__(self) -> None:
        import threading

        from django.db.backends.signals import connection_created

        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        connection_created.connect(self._created, weak=False)
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def watch(self, pid: int) -> None:
        cpu = _backend_cpu_s(pid)
        if cpu is not None:
            with self.lock:
                self.start.setdefault(pid, cpu)
                self.last[pid] = cpu

    def _created(self, sender, connection, **kwargs) -> None:  # noqa: ANN001
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            self.watch(cur.fetchone()[0])

    def _sample(self) -> None:
        while not self.stop.wait(0.2):
            with self.lock:
                pids = list(self.last)
            for pid in pids:
                cpu = _backend_cpu_s(pid)
                if cpu is not None:
                    with self.lock:
                        self.last[pid] = cpu

    def total(self) -> float | None:
        self.stop.set()
        self.thread.join()
        for pid in list(self.last):
            cpu = _backend_cpu_s(pid)
            if cpu is not None:
                self.last[pid] = cpu
        if not self.start:
            return None
        return sum(self.last[pid] - self.start[pid] for pid in self.start)


def _baseline_summary(report: str) -> str:
    """``"bare parse + cleaning 59.6 s, 33.7 MiB"`` from parse_bench's table (or "")."""
    values = {}
    for line in report.splitlines():
        name, sep, value = line.partition("|")
        if sep:
            values[name.strip()] = value.strip()
    if "elapsed" not in values:
        return ""
    return f"bare parse + cleaning {values['elapsed']}, {values.get('peak RSS', '?')}"


def main() -> None:
    """CLI entry point (see module doc)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=0, help="default posts/10")
    ap.add_argument("--file", help="use this Disqus export instead of generating one")
    ap.add_argument("--stories", type=int, default=100)
    ap.add_argument("--batch-size", type=int, default=2000)
    ap.add_argument("--no-parse-baseline", action="store_true")
    ap.add_argument(
        "--inline-writer",
        action="store_true",
        help="write batches in the parsing thread (no overlap; to compare or profile)",
    )
    ap.add_argument("--reimport", action="store_true", help="also time a second (no-op) run")
    args = ap.parse_args()

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/masthead_bench")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    os.environ["DATABASE_URL"] = url
    workdir = Path(tempfile.mkdtemp(prefix="masthead-import-bench-"))
    # the generated export (67 MiB at 100k posts, ~10x at 1M) and the mapping go with it
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    os.environ.setdefault("MASTHEAD_DATA_DIR", str(workdir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.base")

    if args.file:
        export = Path(args.file)
        expected: dict[str, int] = {}
    else:
        export = workdir / "bench-disqus.xml"
        threads = args.threads or max(1, args.posts // 10)
        t0 = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                str(HERE / "generate_disqus.py"),
                str(export),
                "--posts",
                str(args.posts),
                "--threads",
                str(threads),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        expected = json.loads(out.strip().splitlines()[-1])
        print(f"generated {export} in {time.perf_counter() - t0:,.1f} s", file=sys.stderr)

    baseline = ""
    if not args.no_parse_baseline:
        baseline = subprocess.run(
            [sys.executable, str(HERE / "parse_bench.py"), str(export), "--clean"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    from benchmarks.harness import ensure_database

    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from masthead.articles.models import StoryPage
    from masthead.articles.services import ensure_home, ensure_section, paragraphs_to_body

    call_command("migrate", verbosity=0, interactive=False)
    from django.conf import settings

    ensure_home(settings.MASTHEAD_SITE_NAME)
    section = ensure_section("bench", "Bench")
    have = set(StoryPage.objects.child_of(section).values_list("slug", flat=True))
    for i in range(args.stories):
        if f"s{i}" in have:
            continue
        story = StoryPage(
            title=f"Bench story {i}",
            slug=f"s{i}",
            standfirst="Bench.",
            body=paragraphs_to_body(["Bench paragraph."]),
        )
        section.add_child(instance=story)
        story.save_revision().publish()
    threads = args.threads or max(1, args.posts // 10)
    mapping = workdir / "map.csv"
    with mapping.open("w") as fh:
        fh.write("old,new\n")
        for i in range(threads):
            fh.write(f"story-{i},/bench/s{i % args.stories}/\n")
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE migration_importedcomment, migration_heldcomment, migration_heldthread, "
            "migration_legacyauthor, migration_importrun, comments_comment CASCADE"
        )

    from masthead.migration.importer import ImportOptions, import_comments

    pg_cpu = _BackendCPU()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pg_cpu.watch(cur.fetchone()[0])
    rss_before = _rss_mib()
    opts = ImportOptions(
        path=export,
        fmt="disqus",
        source="bench",
        mapping_path=mapping,
        batch_size=args.batch_size,
        background_writer=not args.inline_writer,
    )
    t0, c0 = time.perf_counter(), time.process_time()
    report = import_comments(opts)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    pg_seconds = pg_cpu.total()
    load = os.getloadavg()[0]
    rss_after = _rss_mib()
    reimport = None
    if args.reimport:
        t1 = time.perf_counter()
        again = import_comments(opts)
        reimport = (time.perf_counter() - t1, again.imported, again.skipped_duplicate)

    posts = report.comments_read + report.skipped_in_deleted_threads
    rows = [
        ("file", str(export)),
        ("file size", f"{export.stat().st_size / 2**20:,.1f} MiB"),
        ("posts in file (generator)", f"{expected.get('posts', posts):,}"),
        (
            "threads matched / unmatched",
            f"{report.threads_matched:,} / {report.threads_unmatched:,}",
        ),
        ("comments imported", f"{report.imported:,}"),
        ("  of which deleted / spam", f"{report.imported_deleted:,} / {report.imported_spam:,}"),
        ("skipped in deleted threads", f"{report.skipped_in_deleted_threads:,}"),
        (
            "replies linked",
            f"{report.parents_linked:,} (generator: {expected.get('replies', '?')})",
        ),
        ("orphaned replies", f"{report.orphaned:,}"),
        ("legacy authors", f"{report.authors_legacy + report.authors_accounts:,}"),
        ("batch size", f"{args.batch_size:,}"),
        ("batch writer", "inline" if args.inline_writer else "background thread"),
        ("import elapsed", f"{elapsed:,.1f} s"),
        ("import posts/s", f"{posts / elapsed:,.0f}"),
        ("import CPU time (this process)", f"{cpu:,.1f} s (PostgreSQL server time not included)"),
        (
            "PostgreSQL backends' CPU time",
            f"{pg_seconds:,.1f} s" if pg_seconds is not None else "n/a (remote server)",
        ),
        ("load average (1 min) at end", f"{load:.1f} on {os.cpu_count()} CPUs"),
        ("peak RSS before import", f"{rss_before:,.1f} MiB"),
        ("peak RSS after import", f"{rss_after:,.1f} MiB"),
    ]
    if reimport:
        rows.append(
            ("re-import (no-op)", f"{reimport[0]:,.1f} s, {reimport[1]} new, {reimport[2]:,} dup")
        )
    width = max(len(k) for k, _ in rows)
    print(f"{'import into PostgreSQL':<{width}} | value\n{'-' * width}-+-{'-' * 30}")
    for key, value in rows:
        print(f"{key:<{width}} | {value}")
    if baseline:
        print("\nbare parse + HTML cleaning baseline (separate process):")
        print(baseline)
    from benchmarks.harness import Row, emit_row

    minutes = elapsed / 60
    emit_row(
        Row(
            "migration",
            f"import Disqus file, {posts:,} posts (PostgreSQL)",
            f"{elapsed:,.1f} s ({posts / elapsed:,.0f} posts/s)",
            p99=f"peak RSS {rss_after:,.0f} MiB",
            baseline=_baseline_summary(baseline),
            target="1M posts < 10 min, < 300 MB",
            verdict=(
                "yes"
                if posts >= 1_000_000 and minutes < 10 and rss_after < 300
                else ("n/a (smaller file)" if posts < 1_000_000 else "no")
            ),
        )
    )


if __name__ == "__main__":
    main()
