"""``make bench``: every benchmark of the project in one table.

Usage: ``python -m benchmarks.run_all [--only web,moderation,...] [--seconds N]``.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

from benchmarks.harness import ROOT, Row, print_table

AREAS = ["web", "comments", "site-model", "newsletters", "migration"]

SUBPROCESS = {
    "comments": [sys.executable, "-m", "masthead.moderation.bench"],
    "site-model": [sys.executable, "benchmarks/guidelines/site_model_bench.py"],
    "newsletters": [sys.executable, "benchmarks/newsletters/send_bench.py"],
    "migration": None,  # built in main() from --posts
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default=",".join(AREAS))
    parser.add_argument("--seconds", type=int, default=8, help="length of each load run")
    parser.add_argument(
        "--posts",
        type=int,
        default=int(os.environ.get("BENCH_POSTS", "100000")),
        help="posts in the generated Disqus file (the issue's figure is 1,000,000)",
    )
    args = parser.parse_args()
    rows: list[Row] = []
    fd, name = tempfile.mkstemp(prefix="masthead-bench-", suffix=".jsonl")
    os.close(fd)
    rows_file = Path(name)
    atexit.register(rows_file.unlink, missing_ok=True)
    env = {**os.environ, "BENCH_ROWS_FILE": str(rows_file), "PYTHONPATH": str(ROOT)}
    for area in args.only.split(","):
        try:
            if area == "web":
                from benchmarks import web

                rows += web.run(seconds=args.seconds)
            else:
                cmd = SUBPROCESS[area] or [
                    sys.executable,
                    "benchmarks/migration/import_bench.py",
                    "--posts",
                    str(args.posts),
                ]
                if area == "migration":
                    env["DATABASE_URL"] = os.environ.get(
                        "BENCH_DATABASE_URL",
                        "postgres://postgres@127.0.0.1:5432/masthead_bench_import",
                    )
                print(f"\n== {area}: {' '.join(cmd[1:])}", flush=True)
                subprocess.run(cmd, cwd=ROOT, env=env, check=True, timeout=3600)  # noqa: S603
                env.pop("DATABASE_URL", None)
                rows += [
                    Row(**json.loads(line))
                    for line in rows_file.read_text().splitlines()
                    if line.strip()
                ]
                rows_file.write_text("")
        except Exception as exc:  # noqa: BLE001 - one failing area must not hide the others
            traceback.print_exc()
            rows.append(Row(area, "FAILED", str(exc)[:80], verdict="no"))
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
