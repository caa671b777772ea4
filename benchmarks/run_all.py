"""``make bench``: every benchmark of the project in one table.

Usage: ``python -m benchmarks.run_all [--only web,moderation,...] [--seconds N]``.
"""

from __future__ import annotations

import argparse
import traceback

from benchmarks.harness import Row, print_table

AREAS = ["web"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default=",".join(AREAS))
    parser.add_argument("--seconds", type=int, default=8, help="length of each load run")
    args = parser.parse_args()
    rows: list[Row] = []
    for area in args.only.split(","):
        try:
            if area == "web":
                from benchmarks import web

                rows += web.run(seconds=args.seconds)
        except Exception as exc:  # noqa: BLE001 - one failing area must not hide the others
            traceback.print_exc()
            rows.append(Row(area, "FAILED", str(exc)[:80], verdict="no"))
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
