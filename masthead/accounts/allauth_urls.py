"""allauth views the site wraps, mounted under ``accounts/`` before ``allauth.urls``."""

from django.urls import path

from masthead.accounts import views

urlpatterns = [
    path("password/change/", views.password_change, name="account_change_password"),
]
