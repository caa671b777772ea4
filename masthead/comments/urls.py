"""Comment URLs, mounted at ``/comments/`` (namespace ``comments``)."""

from __future__ import annotations

from django.urls import path

from masthead.comments import views

app_name = "comments"

urlpatterns = [
    path("mine/", views.my_comments, name="mine"),
    path("story/<int:story_id>/post/", views.post, name="post"),
    path("<int:comment_id>/reply/", views.reply, name="reply"),
    path("<int:comment_id>/edit/", views.edit, name="edit"),
    path("<int:comment_id>/delete/", views.delete, name="delete"),
    path("<int:comment_id>/react/", views.react, name="react"),
    path("<int:comment_id>/report/", views.report, name="report"),
]
