"""URLs of the membership apps (issue 3): meter JSON, subscribe page, saved stories, account page."""

from django.urls import include, path

urlpatterns = [
    path("", include("masthead.metering.urls")),
    path("", include("masthead.readinglist.urls")),
    path("account/", include("masthead.accounts.urls")),
]
