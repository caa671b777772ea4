"""Fixtures shared by the live-server browser tests (import them into a test module)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def wagtail_root(transactional_db) -> None:  # noqa: ANN001
    """Recreate the locale and page-tree root that Wagtail's migrations made, when an
    earlier transactional test has flushed them (live_server tests flush the database)."""
    from django.conf import settings as dj
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(dj.LANGUAGE_CODE)
    )
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))


def signed_in_context(browser: Any, base_url: str, user: Any, **options: Any) -> Any:
    """A new Playwright browser context carrying a session cookie of ``user`` for
    ``base_url`` (as a reader who signed in earlier; no recent authentication)."""
    from django.conf import settings
    from django.test import Client

    session = Client()
    session.force_login(user)
    context = browser.new_context(**options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    return context
