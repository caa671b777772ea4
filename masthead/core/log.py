"""Logging helpers used by ``settings.LOGGING``."""

from __future__ import annotations

import logging


class WithoutTraceback(logging.Filter):
    """Keep a record's message and drop its traceback (``exc_info``).

    For requests refused as they should be, such as a ``Host`` header not in
    ``ALLOWED_HOSTS`` (Django logs ``django.security.DisallowedHost`` at ERROR with the
    exception): one line says what was refused, without 15 lines of stack per request.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True
