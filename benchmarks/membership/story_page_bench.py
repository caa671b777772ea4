"""Story page throughput with and without a meter decision, on PostgreSQL + gunicorn.

What it does (``make bench`` or ``.venv/bin/python benchmarks/membership/story_page_bench.py``):

1. creates a fresh PostgreSQL database (``BENCH_PG_URL``, default
   ``postgres://postgres@127.0.0.1:5432/masthead_bench_membership``), migrates it,
   collects static files and writes a small site: one free and one metered story, a
   member (alice) and an exhausted member (erin, 10 of 10 used);
2. starts the production server set-up that ``manage.py serve`` uses: gunicorn with
   ``--workers 2`` (sync workers; ``BENCH_WORKER_CLASS=gthread`` to compare), DEBUG off,
   settings ``masthead.settings.base``;
3. for each scenario sends GET requests over 32 concurrent connections (asyncio client,
   a new connection per request because gunicorn's sync workers close them) for
   ``BENCH_SECONDS`` (default 15) after a 3 s warm-up, and prints requests/second and
   p50/p99 latency in milliseconds.

Target (issue 3): the meter (member, metered story) costs at most 15% of throughput
versus a free story, and p99 stays under 50 ms on a 2-core machine.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/masthead_bench_membership"
)
PORT = int(os.environ.get("BENCH_PORT", "8791"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")


def recreate_database() -> None:
    import psycopg

    name = urlparse(PG_URL).path.lstrip("/")
    admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build_site(env: dict[str, str]) -> dict[str, object]:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    from masthead.articles.models import AccessLevel, StoryPage
    from masthead.articles.services import ensure_home, ensure_section, paragraphs_to_body
    from masthead.metering.models import MeterView
    from masthead.metering.services import period_start

    ensure_home("Bench Ledger")
    world = ensure_section("world", "World")
    paras = [
        f"Paragraph {i} of a story of ordinary length, with a few sentences in it. " * 4
        for i in range(12)
    ]
    stories = {}
    for level in (AccessLevel.FREE, AccessLevel.METERED):
        story = StoryPage(
            title=f"A {level} story",
            slug=f"{level}-story",
            standfirst="Standfirst.",
            access_level=level,
            body=paragraphs_to_body(paras),
        )
        world.add_child(instance=story)
        story.save_revision().publish()
        stories[level] = story
    users = {}
    for name in ("alice", "erin"):
        user = get_user_model().objects.create_user(name, f"{name}@example.org", "pw-bench-123456")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        users[name] = user
    MeterView.objects.bulk_create(
        [
            MeterView(
                reader_key=f"u:{users['erin'].pk}", period=period_start(), story_id=10_000 + i
            )
            for i in range(10)
        ]
    )
    cookies = {}
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        cookies[name] = f"sessionid={client.cookies['sessionid'].value}"
    anon = Client(HTTP_HOST="127.0.0.1")
    anon.get(stories[AccessLevel.METERED].url)  # starts an anonymous meter, counts the story
    from masthead.metering.services import COOKIE_NAME

    cookies["anon"] = f"{COOKIE_NAME}={anon.cookies[COOKIE_NAME].value}"
    return {
        "free": stories[AccessLevel.FREE].url,
        "metered": stories[AccessLevel.METERED].url,
        "cookies": cookies,
    }


async def one_request(path: str, cookie: str) -> tuple[int, float]:
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    headers = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if cookie:
        headers += f"Cookie: {cookie}\r\n"
    writer.write((headers + "\r\n").encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data[9:12]) if data[:5] == b"HTTP/" else 0
    return status, time.perf_counter() - start


async def load(path: str, cookie: str, seconds: float) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            try:
                status, elapsed = await one_request(path, cookie)
            except OSError:
                errors += 1
                continue
            if status != 200:
                errors += 1
            latencies.append(elapsed)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return len(latencies), latencies, errors


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="masthead-bench-")
    env = {
        "DATABASE_URL": PG_URL,
        "MASTHEAD_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "masthead.settings.base",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": f"http://127.0.0.1:{PORT}",
        "LOG_LEVEL": "ERROR",
    }
    recreate_database()
    site = build_site(env)
    cookies = site["cookies"]
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    cmd = [
        gunicorn,
        "masthead.wsgi:application",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--workers",
        WORKERS,
        "--worker-class",
        WORKER_CLASS,
        "--log-level",
        "error",
    ]
    if WORKER_CLASS == "gthread":
        cmd += ["--threads", "8"]
    server = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})  # noqa: S603
    try:
        time.sleep(3)
        scenarios = [
            ("anonymous, free story", site["free"], ""),
            ("anonymous, metered story (meter decision)", site["metered"], cookies["anon"]),
            ("member, free story", site["free"], cookies["alice"]),
            ("member, metered story (meter decision)", site["metered"], cookies["alice"]),
            ("member, meter used up (lead-in)", site["metered"], cookies["erin"]),
        ]
        rows = []
        for label, path, cookie in scenarios:
            asyncio.run(load(path, cookie, 3))  # warm-up
            n, lat, errors = asyncio.run(load(path, cookie, SECONDS))
            rows.append((label, n / SECONDS, pct(lat, 0.5), pct(lat, 0.99), errors))
        cpus = os.cpu_count()
        print(
            f"\nStory page, PostgreSQL, gunicorn {WORKERS} x {WORKER_CLASS} workers, "
            f"{CONCURRENCY} concurrent connections, {SECONDS:.0f} s each, "
            f"{cpus} CPUs (client on same machine)"
        )
        print(f"{'scenario':45} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for label, rps, p50, p99, errors in rows:
            print(f"{label:45} {rps:8.1f} {p50:8.1f} {p99:8.1f} {errors:7d}")
        free_m, metered_m = rows[2][1], rows[3][1]
        free_a, metered_a = rows[0][1], rows[1][1]
        print(
            f"\nmeter cost for a member: {100 * (1 - metered_m / free_m):.1f}% of throughput "
            "(target <= 15%)"
        )
        print(
            "meter cost for an anonymous reader: "
            f"{100 * (1 - metered_a / free_a):.1f}% of throughput"
        )
        print(f"member metered p99: {rows[3][3]:.1f} ms (target < 50 ms)")
    finally:
        server.terminate()
        server.wait(timeout=15)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
