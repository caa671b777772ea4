"""check_text runs the real guideline engine with the member's status (no monkeypatch)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from masthead.moderation import services
from masthead.moderation.guidelines.base import Decision, ReasonCode

from .django_fixtures import *  # noqa: F403  (shared Django fixtures)

pytestmark = pytest.mark.django_db


def test_banned_member_is_rejected(member: Any, moderator: Any, story: Any) -> None:
    services.ban_member(member, "repeated abuse", moderator)
    verdict = services.check_text("I think the council acted too slowly here.", member, story)
    assert verdict.decision == Decision.REJECT
    assert ReasonCode.BANNED_USER in verdict.reasons


def test_suspended_member_is_rejected_until_date(member: Any, moderator: Any, story: Any) -> None:
    services.suspend_member(member, timezone.now() + timedelta(hours=3), "cool off", moderator)
    verdict = services.check_text("I think the council acted too slowly here.", member, story)
    assert verdict.decision == Decision.REJECT
    assert ReasonCode.SUSPENDED_USER in verdict.reasons


def test_premoderated_member_is_held(member: Any, moderator: Any, story: Any) -> None:
    services.set_premoderation(member, "watch", moderator)
    verdict = services.check_text("I think the council acted too slowly here.", member, story)
    assert verdict.decision == Decision.HOLD
    assert ReasonCode.PREMOD_USER in verdict.reasons


def test_banned_word_added_by_moderator_rejects(member: Any, moderator: Any, story: Any) -> None:
    text = "The flood plan is a boondoggle and everyone knows it."
    before = services.check_text(text, member, story)
    assert ReasonCode.BANNED_WORD not in before.reasons
    services.add_word("boondoggle", "banned", moderator)
    after = services.check_text(text, member, story)
    assert after.decision == Decision.REJECT
    assert ReasonCode.BANNED_WORD in after.reasons
