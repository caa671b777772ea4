"""Subscriptions in the Wagtail admin: staff grant (status active) and revoke (status revoked)."""

from __future__ import annotations

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.metering.models import Subscription


class SubscriptionViewSet(SnippetViewSet):
    model = Subscription
    icon = "lock"
    menu_label = "Subscriptions"
    add_to_admin_menu = True
    list_display = ["user", "plan", "status", "current_period_end", "updated_at"]
    list_filter = ["status", "plan"]
    search_fields = ["plan"]


register_snippet(SubscriptionViewSet)
