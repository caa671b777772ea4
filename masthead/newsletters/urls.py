"""URLs under ``/newsletters/``."""

from __future__ import annotations

from django.urls import path

from masthead.newsletters import views

app_name = "newsletters"

urlpatterns = [
    path("", views.newsletter_list, name="list"),
    path("signup/", views.signup, name="signup"),
    path("offers/", views.member_offers, name="offers"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.one_click_unsubscribe, name="unsubscribe"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("<slug:slug>/subscribe/", views.member_subscribe, name="subscribe"),
    path("<slug:slug>/unsubscribe/", views.member_unsubscribe, name="member-unsubscribe"),
]
