"""The app server command line, shared by ``manage.py serve`` and ``make bench``."""

from __future__ import annotations

# Processes and threads of each: measured on the 2-core benchmark machine (make bench).
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4


def granian_command(
    granian: str,
    host: str,
    port: int,
    workers: int,
    threads: int,
    *,
    access_log: bool,
    log_level: str = "info",
) -> list[str]:
    """``granian`` serving ``masthead.wsgi:application`` (the edge cache in front of Django).

    ``workers`` processes of ``threads`` blocking threads each (Django is thread-safe;
    each thread keeps its own database connection). Why granian: on the 2-core
    benchmark machine a trivial WSGI app answers about 3,600 req/s under gunicorn's
    sync workers (no keep-alive) and about 29,700 req/s under granian (``wrk -c32``).
    """
    return [
        granian,
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--backlog",
        "2048",
        "--workers-kill-timeout",
        "5",
        "--log-level",
        log_level,
        "--access-log" if access_log else "--no-access-log",
        "masthead.wsgi:application",
    ]
