"""allauth views the site wraps, mounted under ``accounts/`` before ``allauth.urls``."""

from django.urls import path, re_path

from masthead.accounts import reset_proof, views

urlpatterns = [
    path("password/change/", views.password_change, name="account_change_password"),
    # allauth's own pattern: the emailed link also proves the address it was sent to.
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        reset_proof.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
]
