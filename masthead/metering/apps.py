from django.apps import AppConfig


class MeteringConfig(AppConfig):
    """Entitlements: the monthly meter of free stories and subscriptions."""

    name = "masthead.metering"
    label = "metering"
    verbose_name = "Meter and subscriptions"

    def ready(self) -> None:
        from masthead.metering import signal_handlers  # noqa: F401
