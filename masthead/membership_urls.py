"""URLs of the membership apps (issue 3): meter JSON, subscribe, saved stories, account."""

from django.urls import include, path

urlpatterns = [
    path("", include("masthead.metering.urls")),
    path("", include("masthead.readinglist.urls")),
    path("account/", include("masthead.accounts.urls")),
]
