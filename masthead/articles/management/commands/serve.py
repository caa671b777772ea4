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
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from masthead.articles.models import HomePage, StoryPage
from masthead.articles.services import sync_site_with_site_url
from masthead.core.server import DEFAULT_THREADS, DEFAULT_WORKERS, granian_command


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
        os.environ["SITE_URL"] = base
        settings.SITE_URL = base
        sync_site_with_site_url()  # sitemap.xml links on the origin being served
        home = HomePage.objects.first()
        seed = StoryPage.objects.filter(external_id__startswith="file:").first()
        self.stdout.write(self.style.SUCCESS(f"Masthead is starting on {base}"))
        self.stdout.write(f"  Home page:   {base}{home.url if home else '/'}")
        if seed:
            self.stdout.write(f"  Seed story:  {base}{seed.url}")
        self.stdout.write(f"  Admin:       {base}/admin/  (user 'editor')")
        self.stdout.write(
            f"  Emails are written to {settings.EMAIL_FILE_PATH}"
            if "filebased" in settings.EMAIL_BACKEND
            else ""
        )
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "manage.py", "db_worker"], env=env)  # noqa: S603
        cmd = granian_command(
            granian, host, port, options["workers"], options["threads"], access_log=True
        )
        proc = subprocess.Popen(cmd, env=env)  # noqa: S603

        def stop(signum: int, frame: object) -> None:  # SIGTERM from systemd, Docker, kill
            proc.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        try:
            proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGTERM)
            proc.wait()
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=15)
            if worker:
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
