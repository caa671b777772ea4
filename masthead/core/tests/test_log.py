"""Requests Django refuses as suspicious are logged in one line, without a traceback
(found by newcomer helpers: 15 lines of stack, with server paths, per such request)."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("send", "shown"),
    [
        (lambda c: c.get("/", HTTP_HOST="evil.example"), "evil.example"),
        (lambda c: c.post("/accounts/login/", {f"f{i}": "x" for i in range(10_100)}), "PARAMETERS"),
    ],
    ids=["disallowed-host", "too-many-fields"],
)
def test_a_suspicious_request_is_one_line_in_the_log(send, shown):
    from masthead.core.log import WithoutTraceback

    logger = logging.getLogger("django.security")
    (handler,) = [
        h for h in logger.handlers if any(isinstance(f, WithoutTraceback) for f in h.filters)
    ]
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        response = send(Client())
    finally:
        handler.setStream(old)
    assert response.status_code == 400
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 1 and shown.lower() in lines[0].lower()
    assert "Traceback" not in stream.getvalue()
