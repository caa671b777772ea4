"""Kill the sender (SIGKILL) in the middle of a 2,000-recipient send, restart it: exactly once.

The sender runs as a real subprocess (``manage.py send_newsletters``) against its own
database (a SQLite file, or a scratch PostgreSQL database when ``DATABASE_URL`` is
PostgreSQL), so the kill is a genuine process death. The aiosmtpd server runs in this
process and records each accepted message's recipient and Message-ID.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from masthead.newsletters.tests.smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[3]
N = 2000


def _database_url(tmp_path: Path) -> tuple[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, _, _ = url.rpartition("/")
        name = f"masthead_killtest_{os.getpid()}"
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return f"{base}/{name}", drop
    return f"sqlite:///{tmp_path / 'kill.sqlite3'}", lambda: None


def test_sigkill_mid_send_then_restart_delivers_each_message_once(tmp_path):
    with SMTPServer() as smtp:
        db_url, cleanup = _database_url(tmp_path)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "masthead.settings.base",
            "DATABASE_URL": db_url,
            "MASTHEAD_DATA_DIR": str(tmp_path / "data"),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_USE_TLS": "false",
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        }
        run = lambda *args: subprocess.run(  # noqa: E731
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
        try:
            run("manage.py", "migrate", "--noinput")
            issue_id = run(
                "-m", "masthead.newsletters.tests.kill_helper", "seed", str(N)
            ).stdout.strip()
            sender = [
                sys.executable,
                "manage.py",
                "send_newsletters",
                "--issue",
                issue_id,
                "--rate",
                "0",
                "--batch-size",
                "50",
                "--lease",
                "1",
            ]

            kills = []
            for kill_at in (500, 1200):
                proc = subprocess.Popen(
                    sender, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
                )  # noqa: S603
                deadline = time.monotonic() + 120
                while (
                    smtp.handler.count() < kill_at
                    and proc.poll() is None
                    and time.monotonic() < deadline
                ):
                    time.sleep(0.002)
                assert proc.poll() is None, f"sender ended before the kill: {proc.communicate()}"
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                kills.append(smtp.handler.count())
                assert kills[-1] < N, "the kill must land mid-send"

            final = subprocess.run(
                sender, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
            )  # noqa: S603
            assert final.returncode == 0, final.stderr
            report = json.loads(
                run("-m", "masthead.newsletters.tests.kill_helper", "report", issue_id).stdout
            )
        finally:
            cleanup()

    per_recipient: dict[str, set[str]] = defaultdict(set)
    raw_per_recipient: dict[str, int] = defaultdict(int)
    for received in smtp.handler.messages:
        msg = received.parsed()
        (rcpt,) = received.rcpt_tos
        per_recipient[rcpt].add(str(msg["Message-ID"]))
        raw_per_recipient[rcpt] += 1
    duplicates = sum(n - 1 for n in raw_per_recipient.values())
    print(
        f"killed at {kills} messages; raw SMTP deliveries {smtp.handler.count()}; "
        f"raw duplicates {duplicates}"
    )

    assert report == {
        "status": "sent",
        "counts": {"queued": 0, "sending": 0, "sent": N, "failed": 0, "skipped": 0},
    }
    assert len(per_recipient) == N, "nobody skipped"
    assert all(len(ids) == 1 for ids in per_recipient.values()), (
        "each recipient got exactly one message"
    )
    # A raw re-send is only possible in the documented window (SMTP 250 → row commit),
    # at most one row per kill, and it carries the same Message-ID.
    assert duplicates <= len(kills)
