"""A request for a host not in ALLOWED_HOSTS is logged in one line, without a traceback
(found by a newcomer helper: 15 lines of stack per such request)."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_disallowed_host_is_one_line_in_the_log():
    from masthead.core.log import WithoutTraceback

    logger = logging.getLogger("django.security.DisallowedHost")
    (handler,) = [
        h for h in logger.handlers if any(isinstance(f, WithoutTraceback) for f in h.filters)
    ]
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        response = Client().get("/", HTTP_HOST="evil.example")
    finally:
        handler.setStream(old)
    assert response.status_code == 400
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 1 and "evil.example" in lines[0]
    assert "Traceback" not in stream.getvalue()
