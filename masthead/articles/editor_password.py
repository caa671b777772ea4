"""The demo editor's first password, kept for ``manage.py serve``'s start-up banner.

``make run`` loads the demo (which may create the ``editor`` account) and then starts
the server and the task worker, whose log lines would bury a password printed by
``load_demo``. So ``load_demo --password-in-banner`` writes the new password to a
file only its owner can read, in ``MASTHEAD_DATA_DIR``, and ``serve`` prints it in its
banner, once the site answers, until the editor has signed in for the first time;
then the file is deleted.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

EDITOR_USERNAME = "editor"


def password_file() -> Path:
    """Where the first password waits for the banner."""
    return Path(settings.DATA_DIR) / "editor-password"


def keep_for_banner(password: str) -> Path:
    """Write ``password`` to :func:`password_file`, readable by its owner only."""
    path = password_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password)
    return path


def password_for_banner() -> str | None:
    """The kept password while the editor has never signed in, else ``None``.

    Once the editor has signed in (or the account is gone) the file is deleted: the
    password was seen and may have been changed since.
    """
    path = password_file()
    if not path.is_file():
        return None
    editor = get_user_model().objects.filter(username=EDITOR_USERNAME).first()
    if editor is None or editor.last_login is not None:
        path.unlink(missing_ok=True)
        return None
    return path.read_text().strip() or None
