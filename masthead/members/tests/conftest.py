"""Newsletters to import into, and staff/non-staff users for the admin page."""

from __future__ import annotations

from typing import Any

import pytest

from masthead.newsletters.models import Newsletter
from masthead.testing.personas import make_user


@pytest.fixture
def letters(db: Any) -> dict[str, Newsletter]:  # noqa: ANN401
    return {
        "morning": Newsletter.objects.create(name="Morning", slug="morning"),
        "weekly": Newsletter.objects.create(name="Weekly", slug="weekly"),
        "offers": Newsletter.objects.create(
            name="Offers", slug="offers", kind=Newsletter.Kind.OFFERS
        ),
    }


@pytest.fixture
def staff(db: Any) -> Any:  # noqa: ANN401
    return make_user("editor@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def reader(db: Any) -> Any:  # noqa: ANN401
    return make_user("reader@example.org")
