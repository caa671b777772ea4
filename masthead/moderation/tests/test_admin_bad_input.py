"""Moderation admin answers bad input with a message, never a 500 or a harmful setting."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from masthead.moderation.models import MemberState, MemberStatus, ModerationSettings, ModerationWord

from .django_fixtures import *  # noqa: F403  (shared Django fixtures)

HUGE = "99999999999999999999999"


@pytest.fixture
def staff_client(db: Any) -> Client:
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw-boss-123")
    client = Client()
    client.force_login(user)
    return client


def test_a_story_filter_past_64_bits_is_ignored_not_a_500(staff_client: Client) -> None:
    url = reverse("moderation:queue", kwargs={"tab": "pending"})
    assert staff_client.get(url, {"story": HUGE}).status_code == 200


def test_bulk_ids_past_64_bits_are_an_invalid_choice(staff_client: Client) -> None:
    response = staff_client.post(reverse("moderation:bulk"), {"action": "approve", "ids": HUGE})
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]  # noqa: SLF001
    assert any(HUGE in m and "not a valid value" in m for m in messages), messages


def test_hold_score_at_or_above_the_reject_score_is_refused(staff_client: Client) -> None:
    url = reverse("moderation:thresholds")
    form = staff_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(abuse_reject_score="0.2", abuse_hold_score="0.6")
    response = staff_client.post(url, data)
    assert response.status_code == 400
    assert "must be below the reject score" in response.content.decode()
    settings = ModerationSettings.objects.first()
    assert settings is None or settings.abuse_hold_score < settings.abuse_reject_score


@pytest.mark.parametrize("word", ["a", "(((", " ! "])
def test_word_lists_refuse_entries_that_cannot_work(staff_client: Client, word: str) -> None:
    staff_client.post(reverse("moderation:words"), {"word": word, "kind": "banned"})
    assert not ModerationWord.objects.exists()


def test_staff_accounts_cannot_be_banned_here(staff_client: Client) -> None:
    editor = get_user_model().objects.create_user("ed", "ed@example.org", "pw", is_staff=True)
    response = staff_client.post(
        reverse("moderation:member", args=[editor.pk]), {"action": "ban", "reason": "test"}
    )
    assert "Staff accounts are not moderated here" in response.content.decode()
    assert not MemberStatus.objects.filter(user=editor, state=MemberState.BANNED).exists()
