"""Fixtures of the reader journey: the real site in a subprocess, a real SMTP server.

The site is started the way ``make run`` starts it (``migrate``, ``collectstatic``,
``load_demo --no-corpus``, then ``manage.py serve``: granian plus ``db_worker``) with
its own data folder and SQLite database in a temporary folder, whatever
``DATABASE_URL`` the test run has; mail goes over SMTP to an ``aiosmtpd`` server on
loopback, so the test reads messages as a reader's mail client would.
"""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from masthead.conftest import IN_CI

PROJECT = Path(settings.PROJECT_DIR)
SETUP_SCRIPT = Path(__file__).resolve().parent.parent / "setup_site.py"
METER_ANONYMOUS = 2
METER_MEMBER = 4


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every message received, parsed with :mod:`email`."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, subject_contains: str = "", timeout: float = 30) -> EmailMessage:
        """The first message to ``to`` whose subject contains ``subject_contains``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for msg in self.messages:
                if to in str(msg["To"]) and subject_contains.lower() in str(msg["Subject"]).lower():
                    return msg
            time.sleep(0.2)
        seen = [(str(m["To"]), str(m["Subject"])) for m in self.messages]
        raise AssertionError(f"no message to {to} about {subject_contains!r}; got {seen}")

    @staticmethod
    def text(msg: EmailMessage) -> str:
        """The plain-text body."""
        part = msg.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    @staticmethod
    def links(msg: EmailMessage) -> list[str]:
        """Every http(s) URL in the plain-text body."""
        return re.findall(r"https?://[^\s<>\"]+", Inbox.text(msg))


@pytest.fixture(scope="session")
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on loopback (aiosmtpd) and its port."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@dataclass
class Site:
    """The running journey site."""

    url: str
    env: dict[str, str]
    data: dict[str, Any]
    inbox: Inbox
    log: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def manage(self, *args: str, timeout: float = 300) -> str:
        """Run ``manage.py <args>`` against the site's database; return its stdout."""
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=PROJECT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
            )
        return done.stdout


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"manage.py serve exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"the site did not answer at {url} within {timeout}s")


@pytest.fixture(scope="session")
def journey_site(chromium_path: str, smtp_inbox: tuple[Inbox, int]) -> Iterator[Site]:
    """Start the site as ``make run`` does, in its own process group; stop it afterwards.

    Runs only on the SQLite pass of ``make test``: the journey checks pages, mail and
    browsers, not the database engine (each app's own tests run on both), and it takes
    minutes. On the PostgreSQL pass (``DATABASE_URL=postgres…``) it is skipped.
    """
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the reader journey runs once, on the SQLite pass of make test")
    inbox, smtp_port = smtp_inbox
    data_dir = Path(tempfile.mkdtemp(prefix="masthead-journey-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CACHE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "masthead.settings.base",
            "MASTHEAD_DATA_DIR": str(data_dir),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "SITE_URL": url,
            "MASTHEAD_METER_ANONYMOUS": str(METER_ANONYMOUS),
            "MASTHEAD_METER_MEMBER": str(METER_MEMBER),
            "DEBUG": "false",
        }
    )
    site = Site(url=url, env=env, data={}, inbox=inbox, log=data_dir / "serve.log")
    site.manage("migrate", "--noinput", "-v0")
    site.manage("collectstatic", "--noinput", "-v0")
    site.manage("load_demo", "--no-corpus")
    out = site.manage("shell", "-c", SETUP_SCRIPT.read_text())
    site.data = json.loads(out.split("JOURNEY ", 1)[1].splitlines()[0])
    with site.log.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "serve", "--port", str(port), "--workers", "2"],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: granian workers and db_worker
        )
    stopped_in_time = True
    try:
        _wait_until_up(url, proc, site.log)
        # serve prints the URLs only once granian answers (the first click works).
        assert "Masthead is ready on " + url in site.log.read_text()
        yield site
    finally:
        # SIGTERM to serve alone (as systemd or docker stop send it): it stops granian and
        # the worker itself, and nothing of its process group is left.
        try:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            stopped_in_time = False
        time.sleep(0.5)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
            left_over = True
        except ProcessLookupError:
            left_over = False
        shutil.rmtree(data_dir, ignore_errors=True)
    assert stopped_in_time, "manage.py serve did not stop within 30 s of SIGTERM"
    assert not left_over, "manage.py serve left processes running after SIGTERM"


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """``node_modules/axe-core/axe.min.js`` (``make install`` runs ``npm install``)."""
    path = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists() and shutil.which("npm"):
        subprocess.run(  # noqa: S603
            ["npm", "install", "--no-audit", "--no-fund", "--silent"],  # noqa: S607
            cwd=PROJECT,
            check=False,
            timeout=300,
        )
    if not path.exists():
        message = f"{path} is missing (install Node.js/npm, then run make install)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path
