"""Shared pieces of ``make bench``: servers, load generator, result table.

Every load run is bounded in time (``wrk -d``) and sends traffic only to
127.0.0.1. Figures are what ``wrk --latency`` reports (HdrHistogram percentiles).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named at the end of ``url`` when it does not exist."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> None:
    """Block until ``url`` answers (any HTTP status) or raise ``TimeoutError``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


@dataclass
class Server:
    """A running server process (the app server or nginx) on 127.0.0.1."""

    proc: subprocess.Popen
    port: int
    workdir: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def app_server_command(host: str, port: int, workers: int = 2, threads: int = 4) -> list[str]:
    """The production app server command: granian (Rust HTTP/1.1 with keep-alive) serving
    ``masthead.wsgi:application`` with ``workers`` processes of ``threads`` blocking
    threads each (Django is thread-safe; each thread keeps its own database connection)."""
    from masthead.core.server import granian_command

    granian = str(Path(PYTHON).with_name("granian"))
    return [
        *granian_command(
            granian, host, port, workers, threads, access_log=False, log_level="warning"
        )
    ]


def start_app_server(env: dict[str, str], workers: int = 2, threads: int = 4) -> Server:
    """Start the production app server (see :func:`app_server_command`) with ``env``."""
    port = free_port()
    cmd = app_server_command("127.0.0.1", port, workers, threads)
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})  # noqa: S603
    server = Server(proc, port)
    wait_http(server.base + "/robots-check-404/")
    return server


def start_gunicorn(env: dict[str, str], workers: int = 2, threads: int = 1) -> Server:
    """Start gunicorn sync workers with ``env`` (the previous server, for comparison)."""
    port = free_port()
    gunicorn = str(Path(PYTHON).with_name("gunicorn"))
    cmd = [
        gunicorn,
        "masthead.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "--backlog",
        "2048",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})  # noqa: S603
    server = Server(proc, port)
    wait_http(server.base + "/robots-check-404/")
    return server


def start_nginx_static(html: bytes) -> Server:
    """Serve ``html`` as a static file with nginx (the ceiling of the same page)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise FileNotFoundError("nginx is not installed (apt-get install -y nginx-light)")
    workdir = Path(tempfile.mkdtemp(prefix="masthead-nginx-"))
    (workdir / "story.html").write_bytes(html)
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(
        textwrap.dedent(f"""
        worker_processes 1;
        daemon off;
        pid {workdir}/nginx.pid;
        error_log {workdir}/error.log warn;
        events {{ worker_connections 1024; }}
        http {{
            access_log off;
            sendfile on;
            keepalive_requests 100000;
            client_body_temp_path {workdir};
            proxy_temp_path {workdir};
            fastcgi_temp_path {workdir};
            uwsgi_temp_path {workdir};
            scgi_temp_path {workdir};
            server {{
                listen 127.0.0.1:{port};
                root {workdir};
                location / {{ default_type text/html; try_files /story.html =404; }}
            }}
        }}
    """)
    )
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(workdir)])  # noqa: S603
    server = Server(proc, port, workdir)
    wait_http(server.base + "/")
    return server


@dataclass
class LoadResult:
    """One load run: requests/s, latency percentiles (ms), non-2xx/3xx and socket errors."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    raw: str = field(repr=False, default="")


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(
    url: str,
    *,
    seconds: int = 8,
    connections: int = 32,
    threads: int = 2,
    headers: dict[str, str] | None = None,
    script: str | None = None,
) -> LoadResult:
    """Run ``wrk --latency`` against ``url`` (must be 127.0.0.1) and parse its report.

    :raises ValueError: for a non-loopback URL.
    :raises FileNotFoundError: when wrk is not installed.
    """
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("load runs only target 127.0.0.1")
    exe = shutil.which("wrk")
    if not exe:
        raise FileNotFoundError("wrk is not installed (apt-get install -y wrk)")
    cmd = [
        exe,
        "--latency",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "5s",
    ]
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    script_file = None
    if script:
        script_file = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script_file.write(script)
        script_file.close()
        cmd += ["-s", script_file.name]
    cmd.append(url)
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=seconds + 30, check=False
        ).stdout  # noqa: S603
    finally:
        if script_file:
            os.unlink(script_file.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors += sum(int(n) for n in sock.groups())
    return LoadResult(rps, p50, p99, errors, total, out)


@dataclass
class Row:
    """One line of the ``make bench`` table."""

    area: str
    scenario: str
    value: str
    p50: str = ""
    p99: str = ""
    baseline: str = ""
    target: str = ""
    verdict: str = ""
    errors: str = ""


def print_table(rows: list[Row]) -> None:
    """Print ``rows`` as one aligned table (plain text, ready to paste in a note)."""
    headers = [
        "area",
        "scenario",
        "result",
        "p50",
        "p99",
        "baseline / ceiling",
        "target",
        "met",
        "errors",
    ]
    data = [
        [r.area, r.scenario, r.value, r.p50, r.p99, r.baseline, r.target, r.verdict, r.errors]
        for r in rows
    ]
    widths = [
        max(len(h), *(len(str(row[i])) for row in data)) if data else len(h)
        for i, h in enumerate(headers)
    ]
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for row in data:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def emit_row(row: Row) -> None:
    """Hand ``row`` to ``make bench``'s combined table.

    Sub-benchmarks run as separate processes; when ``BENCH_ROWS_FILE`` is set they append
    one JSON object a row to it, and ``benchmarks.run_all`` prints them all in one table.
    Without the variable this does nothing (the script's own table is still printed).
    """
    import json
    from dataclasses import asdict

    path = os.environ.get("BENCH_ROWS_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(row)) + "\n")
