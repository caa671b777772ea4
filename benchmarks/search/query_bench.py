"""Benchmark site search: CPU time of one ``/search/?q=`` request by query size.

Usage::

    python benchmarks/search/query_bench.py [--corpus-limit 2000] [--repeat 5]

Builds (once) a SQLite database in ``$MASTHEAD_DATA_DIR`` (default
``/tmp/masthead-search-bench``) with the demo site and up to ``--corpus-limit`` corpus
stories (``load_demo``; the corpus needs ``/work/shared``), then times the search view
in this process through Django's test client (no server, no network) for a one-word
query, a three-word query and a 200-character query of 60 short words, and prints the
median CPU seconds (``time.process_time``) and wall seconds of each, then the wall
seconds of each of six 60-word searches sent at once from six threads (each with its own
database connection; SQLite runs queries outside the GIL). Rate limiting is
switched off for the run so every request does the search.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

_SHORT_WORDS = (
    "of to in is on at by it as be we he me my no so up us an or do go if am ad ah ax ay hi"
    " ho id lo ma mu nu oh ok ow pa pi re ta the and for are has had not but his her its new"
    " war law tax oil gas job pay bus"
).split()
QUERIES = {
    "1 word": "election",
    "3 words": "flood city rain",
    # 60 different short words, 200 characters: the slow case
    "60 words, 200 chars": " ".join(_SHORT_WORDS[:60])[:200],
    "60 words, 6 repeated": " ".join(["ab", "cd", "of", "to", "in", "on"] * 10)[:200],
}


def main() -> None:
    """Build the database if needed, then time each query."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-limit", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data_dir = Path(os.environ.setdefault("MASTHEAD_DATA_DIR", "/tmp/masthead-search-bench"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.base")
    os.environ.setdefault("MASTHEAD_SEARCH_RATE_LIMIT", "0")
    os.environ.setdefault("DEBUG", "true")  # static files without collectstatic
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from masthead.articles.models import StoryPage

    call_command("migrate", verbosity=0)
    if not StoryPage.objects.exists():
        call_command("load_demo", corpus_limit=args.corpus_limit, verbosity=0)
    print(f"{StoryPage.objects.live().count()} live stories; {args.repeat} runs per query")
    settings.ALLOWED_HOSTS = ["testserver"]  # the test client's host, this process only
    client = Client()
    for name, query in QUERIES.items():
        cpu, wall = [], []
        for _ in range(args.repeat):
            c0, w0 = time.process_time(), time.perf_counter()
            response = client.get("/search/", {"q": query})
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
            assert response.status_code == 200, response.status_code
        print(
            f"{name:>22}: median CPU {statistics.median(cpu):.3f} s, "
            f"wall {statistics.median(wall):.3f} s (max wall {max(wall):.3f} s)"
        )

    from django.db import connection

    def one(query: str) -> float:
        started = time.perf_counter()
        try:
            assert Client().get("/search/", {"q": query}).status_code == 200
        finally:
            connection.close()
        return time.perf_counter() - started

    with ThreadPoolExecutor(6) as pool:
        walls = list(pool.map(one, [QUERIES["60 words, 200 chars"]] * 6))
    print(f"{'6 at once, 60 words':>22}: wall {min(walls):.3f}-{max(walls):.3f} s each")


if __name__ == "__main__":
    main()
