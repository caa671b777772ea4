"""Settings for the test suite: fast, deterministic, no network.

Tasks run immediately (Wagtail's and ours, through the same ``TASKS`` setting), mail
goes to ``django.core.mail.outbox``, the password hasher is MD5 for speed. The
database comes from ``DATABASE_URL`` so the same suite runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright sync API + live_server


def _own_data_dir() -> None:
    """A fresh data folder for this test process, removed when the process ends (the
    subprocesses a test starts inherit it through the environment and leave it alone)."""
    path = tempfile.mkdtemp(prefix="masthead-test-")
    os.environ["MASTHEAD_DATA_DIR"] = path
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:
            shutil.rmtree(path, ignore_errors=True)

    atexit.register(remove)


if "MASTHEAD_DATA_DIR" not in os.environ:
    _own_data_dir()

from masthead.settings.base import *  # noqa: E402,F403
from masthead.settings.base import DATABASES  # noqa: E402

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
DATABASES["default"]["CONN_MAX_AGE"] = 0
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# Every request sees the newest content version (production polls it, docs/production.md).
MASTHEAD_EDGE_POLL_SECONDS = 0
# Tests that use the Redis meter flush its log themselves (no background thread).
MASTHEAD_METER_FLUSH_SECONDS = 0
