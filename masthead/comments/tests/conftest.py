"""Fixtures for comment tests: members, a story, and a controllable stand-in for the
guideline engine (tests about the guidelines themselves ask for ``real_engine``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from masthead.moderation.guidelines.base import Decision, ReasonCode, RuleResult, Verdict


class FakeEngine:
    """Returns ``decision``/``code``/``message`` for every text; records calls."""

    def __init__(self) -> None:
        self.decision = Decision.PUBLISH
        self.code: ReasonCode | None = None
        self.message = ""
        self.calls: list[str] = []

    def set(self, decision: Decision, code: ReasonCode | None = None, message: str = "") -> None:
        self.decision, self.code, self.message = decision, code, message

    def __call__(self, text: str, author: Any, story: Any, parent: Any = None) -> Verdict:
        self.calls.append(text)
        return Verdict(results=[RuleResult("fake", self.decision, self.code, self.message)])


@pytest.fixture
def real_engine() -> None:
    """Marker fixture: use the real guideline engine through the adapter."""


@pytest.fixture(autouse=True)
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> FakeEngine | None:
    """The fake engine (default PUBLISH), unless the test asks for ``real_engine``."""
    if "real_engine" in request.fixturenames:
        return None
    fake = FakeEngine()
    monkeypatch.setattr("masthead.comments.actions.check_comment_text", fake)
    return fake


@pytest.fixture
def make_member(db) -> Callable[..., Any]:  # noqa: ANN001
    """Factory: ``make_member("alice", verified=True)`` → user with an allauth email."""

    def factory(name: str, verified: bool = True, full_name: str = "") -> Any:
        first, _, last = full_name.partition(" ")
        user = get_user_model().objects.create_user(
            username=name,
            email=f"{name}@example.com",
            password="pw-123456!",
            first_name=first,
            last_name=last,
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
        return user

    return factory


@pytest.fixture
def alice(make_member: Callable[..., Any]) -> Any:
    return make_member("alice", full_name="Alice Reader")


@pytest.fixture
def bob(make_member: Callable[..., Any]) -> Any:
    return make_member("bob", full_name="Bob Other")


@pytest.fixture
def story(make_story: Callable[..., Any]) -> Any:
    return make_story("Rains flood the old city")


@pytest.fixture
def alice_client(client: Any, alice: Any) -> Any:
    client.force_login(alice)
    return client
