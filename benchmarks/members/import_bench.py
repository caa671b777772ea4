"""Benchmark the member CSV import on PostgreSQL: generate a file, time the import.

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/masthead_bench \\
        python benchmarks/members/import_bench.py [--rows 100000] [--keep FILE]

Generates a CSV in the import's layout (Ghost's member columns plus ``newsletters``
and offers consent: about 70% subscribed, half of them to listed newsletters, 20%
with recorded offers consent, labels and notes on some rows), creates and migrates
the database if needed, empties the member, subscriber and consent tables, then times
:func:`masthead.members.services.import_csv` (decode, check every row, write in one
transaction) in this process, and a second run of the same file (idempotent: nothing
new is written). Target (issue 18): 100,000 rows in <= 60 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

HEADER = [
    "email",
    "name",
    "note",
    "subscribed_to_emails",
    "complimentary_plan",
    "labels",
    "created_at",
    "newsletters",
    "offers_consent",
    "offers_consent_at",
    "offers_consent_source",
    "id",  # Ghost exports it; the import ignores it
]


def generate(path: Path, rows: int, seed: int = 18) -> None:
    """Write ``rows`` members to ``path`` (deterministic for a seed)."""
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            subscribed = rnd.random() < 0.7
            offers = rnd.random() < 0.2
            day = 1 + i % 28
            letters = ""
            if subscribed and rnd.random() < 0.5:
                letters = rnd.choice(["morning", "weekly", "morning,weekly"])
            writer.writerow(
                [
                    f"Member.{i}@Example.org",
                    f"Member {i}",
                    "Met at the town hall" if i % 10 == 0 else "",
                    "true" if subscribed else "false",
                    "true" if i % 50 == 0 else "false",
                    "vip,2024" if i % 7 == 0 else "",
                    f"2023-{1 + i % 12:02d}-{day:02d}T10:20:30.000Z",
                    letters,
                    "true" if offers else "false",
                    f"2024-01-{day:02d}T08:00:00Z" if offers else "",
                    "ghost signup form" if offers else "",
                    f"ghost-{i}",
                ]
            )


def _cpu() -> float:
    """CPU seconds (user + system) of this process (PostgreSQL's own work is not in it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """CLI entry point (see module doc)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--keep", help="write the generated CSV here (default: a temporary folder)")
    args = ap.parse_args()

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/masthead_bench")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    os.environ["DATABASE_URL"] = url
    workdir = Path(tempfile.mkdtemp(prefix="masthead-members-bench-"))
    os.environ.setdefault("MASTHEAD_DATA_DIR", str(workdir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.base")

    path = Path(args.keep) if args.keep else workdir / "members.csv"
    t0 = time.perf_counter()
    generate(path, args.rows)
    size = path.stat().st_size
    print(f"generated {args.rows:,} rows ({size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")

    from benchmarks.harness import ensure_database

    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    from masthead.members.services import import_csv
    from masthead.newsletters.models import Newsletter

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE members_memberrecord, newsletters_consentevent, newsletters_offersconsent,"
            " newsletters_subscription, newsletters_subscriber CASCADE"
        )
    Newsletter.objects.get_or_create(slug="morning", defaults={"name": "Morning"})
    Newsletter.objects.get_or_create(slug="weekly", defaults={"name": "Weekly"})

    data = path.read_bytes()
    print(f"{'run':<12} | {'seconds':>8} | {'cpu s':>6} | {'rows/s':>8} | result")
    for label in ("first", "again"):
        t0, c0 = time.perf_counter(), _cpu()
        outcome = import_csv(data, "bench")
        elapsed, cpu = time.perf_counter() - t0, _cpu() - c0
        if outcome.done is None:
            sys.exit(f"import refused: {outcome.checked.problem or outcome.checked.errors[:5]}")
        done = outcome.done.as_dict()
        summary = ", ".join(f"{k}={v}" for k, v in done.items() if v and k != "rows")
        print(
            f"{label:<12} | {elapsed:8.1f} | {cpu:6.1f} | {args.rows / elapsed:8,.0f} | {summary}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print(
        f"peak RSS {rss:.0f} MiB; load average {load:.1f} on {os.cpu_count()} cores; "
        f"target: {args.rows:,} rows <= 60 s (first run)"
    )


if __name__ == "__main__":
    main()
