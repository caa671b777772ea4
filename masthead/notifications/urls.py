"""URLs under ``/notifications/`` (namespace ``notifications``)."""

from __future__ import annotations

from django.urls import path

from masthead.notifications import views

app_name = "notifications"

urlpatterns = [
    path("replies/seen/", views.mark_seen, name="replies-seen"),
    path("replies/email/", views.email_setting, name="reply-email"),
    path("replies/unsubscribe/<str:token>/", views.reply_unsubscribe, name="reply-unsubscribe"),
]
