"""Session activity tracking is throttled to one write per interval per session."""

import pytest
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.mark.django_db
def test_signed_in_requests_write_the_session_row_once_per_interval(
    client, django_user_model, monkeypatch
):
    user = django_user_model.objects.create_user("tracked", "tracked@example.org", "pw-x-12345")
    client.force_login(user)
    client.get("/saved/")
    row = UserSession.objects.get(user=user)
    first_seen = row.last_seen_at
    with CaptureQueriesContext(connection) as queries:
        client.get("/saved/")
    assert not any("usersessions_usersession" in q["sql"] and "UPDATE" in q["sql"] for q in queries)
    assert UserSession.objects.get(pk=row.pk).last_seen_at == first_seen
    import time

    later = time.monotonic() + 301
    monkeypatch.setattr("masthead.accounts.middleware.time.monotonic", lambda: later)
    cache.clear()  # the interval has passed (the shared marker expired too)
    client.get("/saved/", HTTP_USER_AGENT="Second browser/1.0")
    row.refresh_from_db()
    assert row.last_seen_at > first_seen
    assert row.user_agent == "Second browser/1.0"
