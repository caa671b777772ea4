"""An anonymous reader's stories move onto the account at sign-in."""

from __future__ import annotations

from django.test import Client

from masthead.metering.models import MeterView
from masthead.metering.services import COOKIE_NAME
from masthead.metering.tests.helpers import body_state
from masthead.testing.personas import PASSWORD


def test_sign_in_moves_anonymous_stories_onto_account(alice, make_story):
    a, b, c = make_story(), make_story(), make_story()
    client = Client()
    body_state(client, a)
    body_state(client, b)
    assert MeterView.objects.filter(reader_key__startswith="a:").count() == 2
    response = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies[COOKIE_NAME].value == ""  # deleted
    assert MeterView.objects.filter(reader_key__startswith="a:").count() == 0
    assert set(
        MeterView.objects.filter(reader_key=f"u:{alice.pk}").values_list("story_id", flat=True)
    ) == {a.pk, b.pk}
    full, html = body_state(client, a)  # still readable, not counted twice
    assert full and "2 / 10" in html
    full, html = body_state(client, c)
    assert full and "3 / 10" in html


def test_sign_in_does_not_double_count_a_story_read_on_both(alice, make_story, signed_in):
    a = make_story()
    body_state(signed_in(alice), a)
    client = Client()
    body_state(client, a)
    client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert MeterView.objects.filter(reader_key=f"u:{alice.pk}").count() == 1


def test_sign_up_moves_anonymous_stories(make_story):
    a = make_story()
    client = Client()
    body_state(client, a)
    response = client.post(
        "/accounts/signup/",
        {"email": "dora@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    dora = get_user_model().objects.get(email="dora@example.org")
    assert list(
        MeterView.objects.filter(reader_key=f"u:{dora.pk}").values_list("story_id", flat=True)
    ) == [a.pk]


def test_a_meter_past_the_allowance_after_a_carry_over_reads_as_used_up():
    """Stories carried over at sign-in may take a member past the allowance (they stay
    readable); the meter line says "10 / 10", never "11 / 10" (found by a newcomer
    helper). /meter.json keeps the true count."""
    from datetime import date

    from masthead.metering.services import (
        MEMBER,
        Entitlement,
        MeterState,
        Reason,
        meter_html,
        period_end,
    )

    state = MeterState(11, 10, date(2026, 12, 1), period_end(date(2026, 12, 1)))
    html = meter_html(Entitlement(False, Reason.METER_EXHAUSTED, MEMBER, state))
    assert "10 / 10</span>" in html and "11" not in html
    assert state.views_left == 0 and state.as_json()["views"] == 11
