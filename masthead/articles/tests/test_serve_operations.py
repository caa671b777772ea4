"""``make run`` / ``manage.py serve`` operations: a dead task worker is restarted and
the restart is said; children are stopped together; the editor's first password is
printed only in the banner; the worker logs at WARNING by default."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from masthead.articles.editor_password import password_file, password_for_banner
from masthead.articles.management.commands import serve
from masthead.articles.management.commands.serve import WorkerKeeper, stop_processes


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_dead_worker_is_restarted_and_the_restart_is_said() -> None:
    lines: list[str] = []
    keeper = WorkerKeeper(_python("import time; time.sleep(60)"), {}, lines.append)
    first = keeper.proc
    assert first is not None
    keeper.check()
    assert keeper.proc is first and not lines  # alive: left alone
    first.kill()
    first.wait()
    keeper.check()
    assert keeper.proc is not None and keeper.proc is not first
    assert keeper.proc.poll() is None
    assert lines == [
        f"The task worker stopped (exit code -9); restarted it (pid {keeper.proc.pid})."
    ]
    stop_processes([keeper.proc], timeout=2)


def test_a_crash_looping_worker_is_left_stopped_with_a_message(monkeypatch) -> None:
    monkeypatch.setattr(serve, "RESTART_LIMIT", 2)
    lines: list[str] = []
    keeper = WorkerKeeper(_python("raise SystemExit(3)"), {}, lines.append)
    for _ in range(3):
        assert keeper.proc is not None
        keeper.proc.wait()
        keeper.check()
    assert keeper.proc is None
    assert lines[0].startswith("The task worker stopped (exit code 3); restarted it")
    assert "not restarting it again" in lines[-1] and "manage.py db_worker" in lines[-1]


def test_children_are_stopped_together_not_one_after_the_other() -> None:
    # each needs 1 s after SIGTERM; stopped one after the other that would be 2 s
    slow = (
        "import signal, sys, time; "
        "signal.signal(signal.SIGTERM, lambda *a: (time.sleep(1), sys.exit(0))); "
        "print('up', flush=True); time.sleep(60)"
    )
    procs = [subprocess.Popen(_python(slow), stdout=subprocess.PIPE) for _ in range(2)]  # noqa: S603
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"up"
    started = time.monotonic()
    stop_processes(procs, timeout=5)
    elapsed = time.monotonic() - started
    assert all(proc.returncode == 0 for proc in procs)
    assert elapsed < 1.9, f"stopping two children took {elapsed:.2f} s"


def test_children_run_in_their_own_process_group() -> None:
    """Ctrl-C reaches only ``serve``, which sends each child exactly one SIGTERM."""
    import os

    proc = serve.start_child(_python("import time; time.sleep(60)"), dict(os.environ))
    try:
        assert os.getpgid(proc.pid) == proc.pid != os.getpgid(0)
    finally:
        stop_processes([proc], timeout=2)


@pytest.mark.django_db
def test_the_first_password_is_kept_for_the_banner_not_printed(tmp_path, settings) -> None:
    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    call_command(
        "load_demo", "--shared", str(tmp_path), "--no-corpus", "--password-in-banner", stdout=out
    )
    assert "password '" not in out.getvalue()
    assert "shown when the site is ready" in out.getvalue()
    path = password_file()
    assert path.parent == tmp_path and path.stat().st_mode & 0o777 == 0o600
    password = password_for_banner()
    assert password and password not in out.getvalue()
    editor = get_user_model().objects.get(username="editor")
    assert editor.check_password(password)
    # once the editor has signed in, the banner no longer shows it and the file is gone
    editor.last_login = timezone.now()
    editor.save(update_fields=["last_login"])
    assert password_for_banner() is None
    assert not path.exists()


def test_make_run_keeps_the_password_for_the_banner() -> None:
    makefile = (Path(settings.PROJECT_DIR) / "Makefile").read_text()
    recipe = makefile.split("\nrun: install\n", 1)[1].split("\n\n", 1)[0]
    assert "load_demo --password-in-banner" in recipe


def test_the_worker_logs_at_the_site_level_not_every_task() -> None:
    from django_tasks_db.compat import TASKS_LOGGER

    from masthead.newsletters.management.commands.db_worker import Command

    root = logging.getLogger().level
    assert root == logging.WARNING  # LOG_LEVEL's default
    Command().configure_logging(1)
    assert logging.getLogger("django_tasks_db").level == logging.WARNING
    assert logging.getLogger(TASKS_LOGGER).level == logging.WARNING
    Command().configure_logging(2)  # -v 2 still shows every task
    assert logging.getLogger("django_tasks_db").level == logging.DEBUG
    Command().configure_logging(1)


def test_ctrl_c_stops_serve_and_its_children_cleanly(tmp_path) -> None:
    """The real ``manage.py serve`` on a fresh SQLite site: SIGINT to the whole process
    group (what Ctrl-C sends) stops granian and the worker without a forced kill."""
    import os
    import shutil
    import signal
    import socket

    if not shutil.which("granian", path=os.path.dirname(sys.executable)):
        pytest.skip("granian is not installed in this environment")
    root = Path(settings.PROJECT_DIR)
    env = {
        **os.environ,
        "MASTHEAD_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "masthead.settings.base",
        "MASTHEAD_GC_FREEZE": "0",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=root,
        env=env,
        check=True,
        timeout=600,
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "serve", "--port", str(port), "--workers", "1"],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        try:
            deadline = time.monotonic() + 180
            while "Stop with Ctrl-C" not in log.read_text():
                assert proc.poll() is None, log.read_text()[-2000:]
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.5)
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    text = log.read_text()
    assert proc.returncode == 0, text[-2000:]
    assert "refused to gracefully stop" not in text
    assert "Granian shutdown completed" in text
    # nothing left listening on the port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))
