from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Reader accounts on top of django-allauth: profile, account page, export, deletion."""

    name = "masthead.accounts"
    label = "accounts"
    verbose_name = "Reader accounts"

    def ready(self) -> None:
        from masthead.accounts import receivers  # noqa: F401
