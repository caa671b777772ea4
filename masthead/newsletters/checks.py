"""System checks for newsletter mail settings."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register()
def check_newsletter_settings(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Warn when bulk mail would share the transactional sender or lack an HTTPS unsubscribe URL.

    RFC 8058 §3.1 requires the List-Unsubscribe URI used for one-click to be HTTPS.
    """
    problems: list[Warning] = []
    if parseaddr(settings.MASTHEAD_NEWSLETTER_FROM)[1] == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]:
        problems.append(
            Warning(
                "MASTHEAD_NEWSLETTER_FROM equals DEFAULT_FROM_EMAIL",
                hint="Send newsletters from another address than sign-in/verification mail.",
                id="newsletters.W001",
            )
        )
    local = any(h in settings.SITE_URL for h in ("//127.0.0.1", "//localhost", "//[::1]"))
    if not settings.DEBUG and not local and not settings.SITE_URL.startswith("https://"):
        problems.append(
            Warning(
                "SITE_URL is not https://; providers ignore one-click unsubscribe over http.",
                hint="Set SITE_URL=https://… in production (RFC 8058 §3.1).",
                id="newsletters.W002",
            )
        )
    return problems
