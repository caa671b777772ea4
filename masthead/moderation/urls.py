"""Admin URLs of the moderation queue, mounted at ``/admin/moderation/`` by wagtail_hooks."""

from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from masthead.moderation import model_views, views

app_name = "moderation"

urlpatterns = [
    path(
        "",
        RedirectView.as_view(pattern_name="moderation:queue", permanent=False),
        {"tab": "pending"},
        name="index",
    ),
    path("queue/<slug:tab>/", views.queue, name="queue"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("members/<int:user_id>/", views.member, name="member"),
    path("words/", views.words, name="words"),
    path("words/<int:pk>/remove/", views.remove_word, name="remove-word"),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("log/", views.decision_log, name="log"),
    path("model/", model_views.model_page, name="model"),
    path("model/versions/<int:pk>/promote/", model_views.promote_version, name="model-promote"),
    path("model/rollback/", model_views.rollback_version, name="model-rollback"),
]
