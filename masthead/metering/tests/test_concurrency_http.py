"""The meter is exact across app processes (issues 3 and 7).

Two separate app server processes (granian, as in production) serve the same PostgreSQL test database with Redis as
their shared cache. A member at 9 of 10 opens 20 different metered stories at the same
moment, the requests split between the two processes: exactly one story comes back in
full, and the database holds exactly ten counted stories afterwards (the servers count
in Redis and write the rows behind: masthead.metering.redis_meter).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from masthead.articles.models import AccessLevel
from masthead.conftest import IN_CI
from masthead.metering.models import MeterPeriod, MeterView
from masthead.metering.services import period_start
from masthead.testing.personas import make_user

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
ROOT = Path(settings.PROJECT_DIR)
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def two_app_processes(tmp_path, world):  # noqa: ARG001 - the site exists before they start
    # The servers keep the site for a host per process, renewed through the shared cache
    # (Redis); this test process has its own cache, so the site and home page are made
    # first.
    if connection.vendor != "postgresql":
        pytest.skip("multi-process meter exactness is tested on PostgreSQL (make test-postgres)")
    if not _redis_up():
        if IN_CI:
            pytest.fail(f"Redis is required under CI=true and is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    import redis

    # Each test's database is new (ids too): nothing cached by an earlier test may remain.
    # Only this process's keys go: another test run may share the Redis database.
    client = redis.Redis.from_url(REDIS_URL)
    for stale in client.scan_iter(f"masthead-test-{os.getpid()}:*", count=1000):
        client.delete(stale)
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "masthead.settings.base",
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"masthead-test-{os.getpid()}",
        "MASTHEAD_DATA_DIR": str(tmp_path),
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )  # noqa: S603
    from masthead.core.server import granian_command

    granian = str(Path(sys.executable).with_name("granian"))
    procs, ports = [], []
    for _ in range(2):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        # The production server command (manage.py serve): one worker, 8 threads each.
        procs.append(
            subprocess.Popen(  # noqa: S603
                granian_command(
                    granian, "127.0.0.1", port, 1, 8, access_log=False, log_level="error"
                ),
                cwd=ROOT,
                env=env,
            )
        )
        ports.append(port)
    try:
        for port in ports:
            _wait(f"http://127.0.0.1:{port}/")
        yield ports
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=20)
        for stale in client.scan_iter(f"masthead-test-{os.getpid()}:*", count=1000):
            client.delete(stale)  # nothing of this test stays in the shared Redis


def _wait(url: str) -> None:
    import time

    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 - loopback
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


def _race_stories(make_story, label: str) -> list:  # noqa: ANN001
    """20 metered stories whose second paragraph is ``f"{label} paragraph {i}."``."""
    return [
        make_story(
            f"{label} race {i}",
            access_level=AccessLevel.METERED,
            paragraphs=["Open lead.", f"{label} paragraph {i}."],
        )
        for i in range(20)
    ]


def _used(key: str, count: int, first_id: int) -> None:
    """Put ``count`` counted stories on meter ``key`` for this month."""
    MeterPeriod.objects.create(reader_key=key, period=period_start())
    MeterView.objects.bulk_create(
        [
            MeterView(reader_key=key, period=period_start(), story_id=first_id + i)
            for i in range(count)
        ]
    )


def _written_behind() -> None:
    """Wait (up to 10 s) until the servers' background flushers have written the Redis
    meter's pending views into the database (masthead.metering.redis_meter)."""
    import time

    import redis

    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"masthead-test-{os.getpid()}:1:"
    for _ in range(100):
        if not client.scard(prefix + "masthead:meter-dirty") and not client.exists(
            prefix + "masthead:meter-flush-lock"
        ):
            return
        time.sleep(0.1)
    raise TimeoutError("the meter's pending views were not written within 10 s")


def _open_all_at_once(ports: list[int], stories: list, cookie: str) -> dict[int, tuple[str, str]]:  # noqa: ANN001
    """GET every story at the same moment (a barrier), alternating between the two app
    servers, with ``cookie``; returns ``{index: (html, X-Masthead-Cache)}``."""
    barrier = threading.Barrier(len(stories))
    results: dict[int, tuple[str, str]] = {}

    def read(i: int) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{ports[i % 2]}{stories[i].url}", headers={"Cookie": cookie}
        )
        barrier.wait()
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            results[i] = (response.read().decode(), response.headers.get("X-Masthead-Cache", ""))

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(stories))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_member_at_nine_of_ten_gets_exactly_one_story_across_two_processes(
    two_app_processes, make_story
):
    stories = _race_stories(make_story, "Gated")
    member = make_user("racer@example.org")
    key = f"u:{member.pk}"
    _used(key, 9, 10_000)
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(member.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
            HASH_SESSION_KEY: member.get_session_auth_hash(),
        }
    )
    session.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    results = {
        i: html for i, (html, _) in _open_all_at_once(two_app_processes, stories, cookie).items()
    }
    assert len(results) == 20
    full = [i for i, html in results.items() if f"Gated paragraph {i}." in html]
    assert len(full) == 1, f"{len(full)} stories came back in full"
    assert all("Open lead." in html for html in results.values())
    _written_behind()
    assert MeterView.objects.filter(reader_key=key, period=period_start()).count() == 10


def test_anonymous_reader_at_two_of_three_gets_exactly_one_story_at_the_edge(
    two_app_processes, make_story
):
    """The same race for an anonymous meter cookie, answered by the edge cache (the
    full variants are rendered first by other readers, as on a busy site)."""
    import uuid

    from django.http import HttpResponse

    from masthead.metering.services import COOKIE_NAME, cookie_settings

    stories = _race_stories(make_story, "Hidden")
    for story in stories:  # other readers' first visits store each story's full variant
        for port in two_app_processes:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{story.url}", timeout=60).read()  # noqa: S310
    meter_id = uuid.uuid4().hex
    key = f"a:{meter_id}"
    _used(key, 2, 20_000)
    carrier = HttpResponse()
    carrier.set_signed_cookie(COOKIE_NAME, meter_id, **cookie_settings())
    cookie = f"{COOKIE_NAME}={carrier.cookies[COOKIE_NAME].value}"
    results = _open_all_at_once(two_app_processes, stories, cookie)
    assert len(results) == 20
    full = [i for i, (html, _) in results.items() if f"Hidden paragraph {i}." in html]
    assert len(full) == 1, f"{len(full)} stories came back in full"
    assert results[full[0]][1] == "edge"  # the counted read was answered by the edge
    _written_behind()
    assert MeterView.objects.filter(reader_key=key, period=period_start()).count() == 3
