"""Admin menu item and URLs of the "Members CSV" page (staff only)."""

from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from masthead.members import views


class StaffMenuItem(MenuItem):
    """Shown to staff only (the views refuse everyone else too)."""

    def is_shown(self, request: Any) -> bool:  # noqa: D102
        return bool(request.user.is_staff)


@hooks.register("register_admin_urls")
def register_admin_urls() -> list:
    return [
        path("members/", views.index, name="members_admin"),
        path("members/export/", views.export, name="members_admin_export"),
        path("members/import/", views.import_view, name="members_admin_import"),
    ]


@hooks.register("register_admin_menu_item")
def register_menu_item() -> MenuItem:
    return StaffMenuItem("Members CSV", reverse("members_admin"), icon_name="group", order=260)
