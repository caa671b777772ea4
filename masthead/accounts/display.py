"""How the site names a reader to themselves, and absolute links on ``SITE_URL``.

``ACCOUNT_USER_DISPLAY`` points at :func:`user_display`, so allauth's messages ("Signed
in as …") and emails name the reader by their display name or, without one, their
email address: never the internal user name.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def user_display(user: Any) -> str:
    """The reader's display name, else their email address, else "Reader"."""
    profile = getattr(user, "profile", None) if getattr(user, "pk", None) else None
    name = getattr(profile, "display_name", "") if profile is not None else ""
    return name or getattr(user, "email", "") or "Reader"


def user_owns(user: Any, email: str) -> bool:
    """Whether ``email`` is a verified address of ``user``."""
    from allauth.account.models import EmailAddress

    return bool(getattr(user, "pk", None)) and (
        EmailAddress.objects.filter(user_id=user.pk, email__iexact=email, verified=True).exists()
    )


def site_absolute(location: str) -> str:
    """``location`` (a path, or an absolute URL on any host) on ``SITE_URL``: the path,
    query and fragment are kept, the scheme and host are the configured ones."""
    parts = urlsplit(location)
    base = urlsplit(settings.SITE_URL)
    path = base.path.rstrip("/") + (parts.path or "/")
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))
