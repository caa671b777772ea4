"""Benchmark: send one newsletter issue to 10,000 subscribers through a local aiosmtpd.

Run with ``make bench`` or ``.venv/bin/python benchmarks/newsletters/send_bench.py [N ...]
[--postgres postgres://postgres@127.0.0.1:5432/postgres] [--no-sqlite]``.

For each N (default 2,000 and 10,000) it migrates a fresh SQLite file database (and,
with ``--postgres``, a scratch PostgreSQL database, the production set-up), seeds
N confirmed subscribers and one issue, then times ``manage.py send_newsletters
--rate 0`` (the real sender: claims, per-recipient re-check, render, SMTP, ledger
update) in a subprocess, reading its peak RSS from ``getrusage(RUSAGE_CHILDREN)``.
A bare ``smtplib`` loop sending N small prebuilt messages to the same server is the
baseline. The SMTP server runs in its own process so it does not share the CPU's
GIL with the sender. Target (issue 5): ≥ 200 messages/second, memory flat in N.
"""

from __future__ import annotations

import multiprocessing
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_RATE = 200  # messages/second, issue 5
sys.path.insert(0, str(ROOT))


def serve(port: int, counter: multiprocessing.Value, ready: multiprocessing.Event) -> None:
    """Run aiosmtpd on 127.0.0.1:port, counting accepted messages."""
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def baseline(port: int, n: int) -> float:
    """Messages/second of a bare smtplib loop over one connection."""
    msg = EmailMessage()
    msg["From"] = "bench@example.org"
    msg["Subject"] = "Baseline"
    msg.set_content(("Hello " * 12 + "\n") * 20)
    raw = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(n):
            smtp.sendmail("bench@example.org", [f"r{i}@example.org"], raw)
    return n / (time.perf_counter() - start)


def scratch_postgres(server_url: str) -> tuple[str, Callable[[], None]]:
    """Create an empty database on ``server_url``'s server; return (its URL, drop function)."""
    import psycopg

    base = server_url.rstrip("/").rpartition("/")[0] if server_url.count("/") > 2 else server_url
    name = f"nl_send_bench_{os.getpid()}"

    def admin(sql: str) -> None:
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_sender(port: int, n: int, database: str = "sqlite") -> tuple[float, float]:
    """Return (messages/second, peak RSS MiB) of the real sender for N recipients.

    ``database``: ``"sqlite"`` (a fresh file) or a ``postgres://`` server URL (a scratch
    database is created on it and dropped afterwards).
    """
    tmp = Path(tempfile.mkdtemp(prefix="nl-bench-"))
    drop: Callable[[], None] = lambda: None  # noqa: E731
    if database == "sqlite":
        db_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        db_url, drop = scratch_postgres(database)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "masthead.settings.base",
        "DATABASE_URL": db_url,
        "MASTHEAD_DATA_DIR": str(tmp),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "false",
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }

    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout

    try:
        run("manage.py", "migrate", "--noinput")
        issue_id = run("-m", "masthead.newsletters.tests.kill_helper", "seed", str(n)).strip()
        if database != "sqlite":
            # A real list has planner statistics (autovacuum analyzes a table within about
            # a minute of a bulk change); a list seeded a second ago has none, and without
            # them PostgreSQL checks each recipient's eligibility by scanning the whole
            # list's subscriptions (newsletter, status index), O(N) per message.
            import psycopg

            with psycopg.connect(db_url, autocommit=True) as conn:
                conn.execute("ANALYZE")
        code = (
            "import resource, django; django.setup(); "
            "from django.core.management import call_command; "
            f"call_command('send_newsletters', issue=[{issue_id}], rate=0); "
            "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start  # includes Python + Django start-up (~1 s)
    finally:
        drop()
    peak_kib = int(out.stdout.rsplit("MAXRSS", 1)[1].split()[0])
    return n / elapsed, peak_kib / 1024


def main() -> None:
    """Print the benchmark table."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[2000, 10000])
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("SEND_BENCH_POSTGRES", ""),
        help="also run on PostgreSQL (a scratch database on this server; "
        "env SEND_BENCH_POSTGRES), e.g. postgres://postgres@127.0.0.1:5432/postgres",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="only the PostgreSQL runs")
    args = parser.parse_args()
    databases = ([] if args.no_sqlite else ["sqlite"]) + ([args.postgres] if args.postgres else [])
    from masthead.newsletters.tests.smtp import free_port

    port = free_port()
    counter = multiprocessing.Value("i", 0)
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(port, counter, ready), daemon=True)
    server.start()
    ready.wait(10)
    rows = []
    try:
        for database in databases:
            label = "SQLite" if database == "sqlite" else "PostgreSQL"
            for n in args.sizes:
                base = baseline(port, n)
                counter.value = 0
                rate, rss = run_sender(port, n, database)
                rows.append((label, n, rate, rss, base, counter.value))
    finally:
        server.terminate()
    print(
        f"{'database':>10} | {'recipients':>10} | {'sender msg/s':>12} | {'peak RSS MiB*':>13} | "
        f"{'bare smtplib msg/s':>18} | {'received':>8} | {'target':>10} | {'met':>3}"
    )
    print("-" * 107)
    for label, n, rate, rss, base, got in rows:
        met = "yes" if rate >= TARGET_RATE and got == n else "no"
        print(
            f"{label:>10} | {n:>10} | {rate:>12.0f} | {rss:>13.1f} | {base:>18.0f} | {got:>8} | "
            f"{'>= ' + str(TARGET_RATE):>10} | {met:>3}"
        )
    print(
        "* peak RSS of the sender process (getrusage RUSAGE_SELF); "
        "msg/s includes its ~1 s start-up."
    )
    print(
        f"Target (issue 5): >= {TARGET_RATE} msg/s, memory flat in the number of recipients "
        "(compare the RSS column across sizes)."
    )
    from benchmarks.harness import Row, emit_row

    for label, n, rate, rss, base, got in rows:
        emit_row(
            Row(
                "newsletters",
                f"send one issue to {n:,} subscribers (local aiosmtpd, {label})",
                f"{rate:,.0f} msg/s",
                baseline=f"bare smtplib loop {base:,.0f} msg/s; peak RSS {rss:.0f} MiB",
                target=f">= {TARGET_RATE} msg/s, flat memory",
                verdict="yes" if rate >= TARGET_RATE and got == n else "no",
                errors=str(n - got) if got < n else "0",
            )
        )


if __name__ == "__main__":
    main()
