"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Return ``site_name`` and ``site_url`` for templates (no database query)."""
    return {"site_name": settings.MASTHEAD_SITE_NAME, "site_url": settings.SITE_URL}
