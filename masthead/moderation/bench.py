"""Benchmark the whole guideline pipeline on one core.

Run ``python -m masthead.moderation.bench``. Prints a table with:
    * process start + model load time (a fresh ``python -c`` subprocess that
      imports the package and calls ``warm_up()``), target < 5 s;
    * throughput of ``check_batch`` in batches of 256, target >= 500 comments/s;
    * p50/p99 latency of ``check_comment`` for one comment with models
      loaded, target p99 < 20 ms.
Texts come from TRAC-1 English dev if present under ``$MASTHEAD_SHARED_DATA``,
else are generated here. Pin to one core with ``taskset -c 0`` for strict
single-core figures (the script sets thread-count env vars to 1 itself).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import random
import statistics
import subprocess
import sys
import time

from .evaluate import read_trac
from .guidelines import CheckContext, check_batch, check_comment, warm_up

WORDS = [
    "the",
    "government",
    "said",
    "on",
    "Monday",
    "that",
    "the",
    "new",
    "budget",
    "would",
    "raise",
    "spending",
    "on",
    "schools",
    "and",
    "hospitals",
    "while",
    "critics",
    "argued",
    "it",
    "was",
    "not",
    "enough",
    "for",
    "farmers",
    "in",
    "the",
    "villages",
]


def sample_texts(n: int = 2000) -> tuple[list[str], str]:
    """Up to ``n`` comment texts and a description of their source."""
    data = read_trac("trac1_agr_en_dev.csv")
    if data:
        texts = [t for t, _ in data][:n]
        return texts, f"TRAC-1 English dev ({len(texts)} comments)"
    rnd = random.Random(7)
    texts = [
        " ".join(rnd.choices(WORDS, k=rnd.randint(6, 40))).capitalize() + "." for _ in range(n)
    ]
    return texts, f"generated ({n} comments)"


def startup_seconds() -> float:
    """Wall time for a fresh interpreter to import the engine and warm up."""
    code = "from masthead.moderation.guidelines import warm_up; warm_up()"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.getcwd())
    return time.perf_counter() - t0


def main() -> int:
    """Run the benchmark and print the table."""
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        pinned = "pinned to one core"
    except (AttributeError, OSError):
        pinned = "not pinned"
    start = startup_seconds()
    warm_up()
    texts, source = sample_texts()
    ctx = CheckContext(banned_words=["badword", "another banned phrase"], suspect_words=["scam"])
    # Throughput, batched.
    check_batch(texts[:64], [ctx] * 64)
    t0 = time.perf_counter()
    done = 0
    for i in range(0, len(texts), 256):
        chunk = texts[i : i + 256]
        check_batch(chunk, [ctx] * len(chunk))
        done += len(chunk)
    tput = done / (time.perf_counter() - t0)
    # Single-comment latency (normalise cache cleared by using distinct texts).
    lat = []
    for i, t in enumerate(texts[:1000]):
        s = f"{t} ({i})"
        t1 = time.perf_counter()
        check_comment(s, ctx)
        lat.append((time.perf_counter() - t1) * 1000)
    lat.sort()
    p50 = statistics.median(lat)
    p99 = lat[int(len(lat) * 0.99) - 1]
    rows = [
        ("process start + model load", f"{start:.2f} s", "< 5 s", start < 5),
        (
            "throughput, batched (256)",
            f"{tput:.0f} comments/s",
            ">= 500/s",
            tput >= 500,
        ),
        ("latency single comment p50", f"{p50:.2f} ms", "", None),
        ("latency single comment p99", f"{p99:.2f} ms", "< 20 ms", p99 < 20),
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Texts: {source}; CPU: {pinned}; 1-min load average {load:.1f} on {os.cpu_count()} CPUs")
    print("(figures are inflated when the load average exceeds the CPU count)")
    print(f"{'measure':32} {'value':>20}  {'target':10} status")
    print("-" * 72)
    for name, val, target, ok in rows:
        status = "" if ok is None else ("MET" if ok else "MISSED")
        print(f"{name:32} {val:>20}  {target:10} {status}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
