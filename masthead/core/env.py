"""Environment-variable readers that fail loudly.

Pattern from healthchecks (``hc/settings.py``): a malformed value raises
:class:`~django.core.exceptions.ImproperlyConfigured` at start-up instead of being
silently read as a default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    """Return the environment variable ``name``, or ``default`` when unset."""
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    """Return ``name`` read as a boolean.

    Accepts ``1/true/yes/on`` and ``0/false/no/off`` (any case).

    :raises ImproperlyConfigured: for any other value.
    """
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def envint(name: str, default: int) -> int:
    """Return ``name`` read as an integer.

    :raises ImproperlyConfigured: when the value is not a whole number.
    """
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    """Return ``name`` split on commas, blanks dropped."""
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def secret_key(data_dir: Path) -> str:
    """Return ``SECRET_KEY`` from the environment, or from ``<data_dir>/secret_key``.

    On first run the file is created with 50 random URL-safe bytes and mode 0600, so
    a fresh install never runs on a key that is committed anywhere.
    """
    from_env = os.environ.get("SECRET_KEY") or os.environ.get("DJANGO_SECRET_KEY")
    if from_env:
        return from_env
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
