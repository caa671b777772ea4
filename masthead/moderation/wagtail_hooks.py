"""Wagtail admin hooks: the "Moderation" menu item and the queue's URLs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from masthead.moderation import urls
from masthead.moderation.views import can_moderate


class ModerationMenuItem(MenuItem):
    """Shown only to users with ``moderation.moderate_comments``."""

    def is_shown(self, request: HttpRequest) -> bool:
        """See class doc."""
        return can_moderate(request.user)


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[Any]:
    """Mount the queue at ``/admin/moderation/`` (Wagtail adds its admin-login check)."""
    return [path("moderation/", include(urls, namespace="moderation"))]


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item() -> MenuItem:
    """The "Moderation" item in the admin sidebar, above Settings."""
    return ModerationMenuItem(
        "Moderation", reverse("moderation:index"), icon_name="warning", order=850
    )
