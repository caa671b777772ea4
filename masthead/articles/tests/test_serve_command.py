"""``manage.py serve`` (what ``make run`` ends with): a port already taken is a clear error.

Starting, the "ready" line and stopping on SIGTERM are checked on the real site by the
reader journey's fixture (``masthead/journey/tests/conftest.py``).
"""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from masthead.articles.management.commands.serve import port_in_use, stop_process


def test_a_port_already_in_use_is_refused_with_a_clear_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert port_in_use("127.0.0.1", port)
        with pytest.raises(CommandError) as refused:
            call_command("serve", "--port", str(port), "--no-worker")
    assert f"Port {port}" in str(refused.value)
    assert "PORT=8080 make run" in str(refused.value)


def test_make_run_checks_the_port_before_touching_the_database() -> None:
    """``make run`` calls ``serve --check-port`` before ``migrate``: a second copy on a
    port in use stops there, before migrating or loading into the running site's data."""
    from pathlib import Path

    from django.conf import settings

    makefile = (Path(settings.PROJECT_DIR) / "Makefile").read_text()
    recipe = makefile.split("\nrun: install\n", 1)[1].split("\n\n", 1)[0]
    assert recipe.index("serve --check-port") < recipe.index("migrate")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"Port {port}"):
            call_command("serve", "--check-port", "--port", str(port))
    call_command("serve", "--check-port", "--port", str(port))  # free again: returns


def test_a_free_port_is_free() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert not port_in_use("127.0.0.1", port)


def test_a_process_that_ignores_sigterm_is_killed_after_the_timeout() -> None:
    stubborn = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
            " print('up', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    assert stubborn.stdout is not None and stubborn.stdout.readline().strip() == b"up"
    stop_process(stubborn, timeout=0.5)
    assert stubborn.returncode == -9
