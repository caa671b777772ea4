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


def mask_email(email: str) -> str:
    """``mary@evil.example`` → ``m•••y@evil.example``: enough for the owner to recognise
    their own address, too little to hand it to a stranger."""
    local, _, domain = email.partition("@")
    if not local:
        return email
    hidden = local[0] + "•••" + (local[-1] if len(local) > 1 else "")
    return f"{hidden}@{domain}" if domain else hidden


def receiving_account(user: Any, email: str) -> dict[str, str]:
    """Which account a confirmation of ``email`` adds it to, as the inbox may be told.

    ``name`` is the account's display name (empty without one); ``address`` its primary
    verified address, masked (:func:`mask_email`), or empty when that is ``email`` itself
    (a sign-up confirming its own address) or there is none.
    """
    from allauth.account.models import EmailAddress

    if not getattr(user, "pk", None):
        return {"name": "", "address": ""}
    profile = getattr(user, "profile", None)
    name = getattr(profile, "display_name", "") if profile is not None else ""
    primary = (
        EmailAddress.objects.filter(user_id=user.pk, verified=True)
        .exclude(email__iexact=email)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
        .first()
    )
    return {"name": name, "address": mask_email(primary) if primary else ""}
