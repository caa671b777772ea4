"""``manage.py serve``: print the site's URLs, then run granian and the task worker.

This is what ``make run`` ends with. It is the production server set-up at small
scale (granian worker processes serving ``masthead.wsgi:application`` -- the edge
cache in front of Django -- plus one ``db_worker`` for background tasks), so what a
newsroom tries locally is what it deploys.

Why granian, not gunicorn: on this 2-core machine a trivial WSGI app answers about
3,600 req/s under gunicorn's sync workers (no keep-alive) and about 29,700 req/s under
granian (Rust HTTP/1.1 with keep-alive), measured with ``wrk -c32`` (issue 7).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from masthead.articles.editor_password import password_for_banner
from masthead.articles.models import HomePage, StoryPage
from masthead.articles.services import sync_site_with_site_url
from masthead.core.server import DEFAULT_THREADS, DEFAULT_WORKERS, granian_command

# Seconds to wait for granian to listen, and for it (and the worker) to stop on SIGTERM
# before they are killed.
START_TIMEOUT = 90
STOP_TIMEOUT = 10
# How often the server and the worker are checked; a worker that dies more often than
# RESTART_LIMIT times in RESTART_WINDOW seconds is not restarted again (a crash loop).
WATCH_SECONDS = 0.5
RESTART_LIMIT = 5
RESTART_WINDOW = 60.0


def port_in_use(host: str, port: int) -> bool:
    """Whether ``host:port`` (TCP) is already taken on this machine: binding it fails."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def wait_listening(host: str, port: int, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait until ``host:port`` accepts connections (``True``), ``proc`` exits or
    ``timeout`` seconds pass (``False``). A wildcard host is reached on loopback."""
    target = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection((target, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def stop_process(proc: subprocess.Popen[bytes] | None, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM ``proc`` if it still runs, then SIGKILL after ``timeout`` seconds."""
    stop_processes([proc], timeout)


def stop_processes(
    procs: list[subprocess.Popen[bytes] | None], timeout: float = STOP_TIMEOUT
) -> None:
    """SIGTERM every process that still runs at once, wait for all of them together,
    and SIGKILL those still running ``timeout`` seconds after."""
    running = [p for p in procs if p is not None]
    for proc in running:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + timeout
    for proc in running:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_child(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start ``cmd`` in its own process group.

    Ctrl-C in a terminal sends SIGINT to the whole foreground group; granian's workers
    that get it from the terminal *and* a SIGTERM from their parent refuse to stop and
    are killed seconds later. In their own group they get exactly one signal: the
    SIGTERM ``serve`` sends, and stop within about a second and a half.
    """
    return subprocess.Popen(cmd, env=env, process_group=0)  # noqa: S603


class WorkerKeeper:
    """Runs the task worker and starts it again when it dies, saying so.

    ``write`` gets one line per restart; after :data:`RESTART_LIMIT` deaths within
    :data:`RESTART_WINDOW` seconds the worker is left stopped, with a line that says so.
    """

    def __init__(self, cmd: list[str], env: dict[str, str], write: Any) -> None:
        self.cmd, self.env, self.write = cmd, env, write
        self.proc: subprocess.Popen[bytes] | None = start_child(cmd, env)
        self.deaths: list[float] = []
        self.restarts = 0

    def check(self) -> None:
        """Restart the worker if it has exited (call this periodically)."""
        if self.proc is None or self.proc.poll() is None:
            return
        code = self.proc.returncode
        now = time.monotonic()
        self.deaths = [t for t in self.deaths if now - t < RESTART_WINDOW] + [now]
        if len(self.deaths) > RESTART_LIMIT:
            self.write(
                f"The task worker stopped (exit code {code}) {len(self.deaths)} times in "
                f"{RESTART_WINDOW:.0f} s; not restarting it again. Background tasks (emails, "
                "newsletters, scheduled publishing) wait until you start it: "
                ".venv/bin/python manage.py db_worker"
            )
            self.proc = None
            return
        self.proc = start_child(self.cmd, self.env)
        self.restarts += 1
        self.write(
            f"The task worker stopped (exit code {code}); restarted it (pid {self.proc.pid})."
        )


class Command(BaseCommand):
    help = "Serve the site with granian and run the background task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=DEFAULT_WORKERS, help="Worker processes."
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=DEFAULT_THREADS,
            help="Threads per worker (one DB connection each).",
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start db_worker.")
        parser.add_argument(
            "--check-port",
            action="store_true",
            help="Only check that the port is free (make run does, before migrating).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        base = os.environ.get("SITE_URL") or f"http://{host}:{port}"
        env = {
            **os.environ,
            "SITE_URL": base,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "masthead.settings.base"
            ),
        }
        if host not in settings.ALLOWED_HOSTS and "ALLOWED_HOSTS" not in os.environ:
            env["ALLOWED_HOSTS"] = ",".join([*settings.ALLOWED_HOSTS, host])
        granian = shutil.which("granian", path=os.path.dirname(sys.executable)) or shutil.which(
            "granian"
        )
        if not granian:
            raise CommandError("granian is not installed in this environment (pip install -e .)")
        if port_in_use(host, port):
            raise CommandError(
                f"Port {port} on {host} is already in use (another Masthead or another "
                f"server?). Stop it, or choose another port: PORT=8080 make run"
            )
        if options["check_port"]:
            return
        os.environ["SITE_URL"] = base
        settings.SITE_URL = base
        sync_site_with_site_url()  # sitemap.xml links on the origin being served
        home = HomePage.objects.first()
        seed = StoryPage.objects.filter(external_id__startswith="file:").first()
        worker = None
        if not options["no_worker"]:
            worker = WorkerKeeper(
                [sys.executable, "manage.py", "db_worker"],
                env,
                lambda line: self.stderr.write(self.style.WARNING(line)),
            )
        cmd = granian_command(
            granian, host, port, options["workers"], options["threads"], access_log=True
        )
        proc = start_child(cmd, env)

        def stop(signum: int, frame: object) -> None:  # SIGTERM from systemd, Docker, kill
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            if not wait_listening(host, port, proc, START_TIMEOUT):
                code = proc.poll()
                raise CommandError(
                    f"granian did not start on {host}:{port}"
                    + (f" (it exited with code {code}; see its messages above)" if code else "")
                )
            # The URLs only once the server answers, so the first click works.
            self.stdout.write(self.style.SUCCESS(f"Masthead is ready on {base}"))
            self.stdout.write(f"  Home page:   {base}{home.url if home else '/'}")
            if seed:
                self.stdout.write(f"  Seed story:  {base}{seed.url}")
            self.stdout.write(f"  Admin:       {base}/admin/  (user 'editor')")
            password = password_for_banner()
            if password:
                self.stdout.write(
                    f"  Editor password: {password}  (shown until the editor first signs in)"
                )
            if "filebased" in settings.EMAIL_BACKEND:
                self.stdout.write(f"  Emails are written to {settings.EMAIL_FILE_PATH}")
            self.stdout.write("  Stop with Ctrl-C.")
            self.stdout.flush()
            while proc.poll() is None:
                if worker is not None:
                    worker.check()
                time.sleep(WATCH_SECONDS)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            stop_processes([proc, worker.proc if worker else None])
            signal.signal(signal.SIGINT, signal.default_int_handler)
        failed = proc.returncode not in (0, -signal.SIGTERM, -signal.SIGINT, -signal.SIGKILL)
        if sys.argv[1:2] == ["serve"]:
            # This process only watched its children, which have stopped. The
            # interpreter's own teardown of Django, Wagtail and the guideline models
            # takes about 2 s more on the 2-core machine: end now, so Ctrl-C returns
            # the terminal well within 2 s.
            if failed:
                self.stderr.write(f"granian exited with code {proc.returncode}")
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(1 if failed else 0)
        if failed:
            raise CommandError(f"granian exited with code {proc.returncode}")
