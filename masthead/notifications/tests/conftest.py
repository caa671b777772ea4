"""Members, a story, and the comments tests' stand-in guideline engine (PUBLISH unless told)."""

from __future__ import annotations

from typing import Any

import pytest

from masthead.comments.tests.conftest import FakeEngine
from masthead.testing.personas import make_user


@pytest.fixture(autouse=True)
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr("masthead.comments.actions.check_comment_text", fake)
    return fake


@pytest.fixture
def alice(db: Any) -> Any:  # noqa: ANN401
    return make_user("alice@example.org", first_name="Alice")


@pytest.fixture
def bob(db: Any) -> Any:  # noqa: ANN401
    return make_user("bob@example.org", first_name="Bob")


@pytest.fixture
def carl(db: Any) -> Any:  # noqa: ANN401
    return make_user("carl@example.org", first_name="Carl")


@pytest.fixture
def story(make_story: Any) -> Any:  # noqa: ANN401
    return make_story("Rains flood the old city")
