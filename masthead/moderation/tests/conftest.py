"""Shared fixtures for the moderation tests (no Django needed)."""

from __future__ import annotations

import pytest

from masthead.moderation.evaluate import data_dir
from masthead.moderation.guidelines import CheckContext


@pytest.fixture
def ctx() -> CheckContext:
    """A default context."""
    return CheckContext()


def shared_file(*parts: str):
    """Path under the shared data dir, or skip the test with a clear message."""
    p = data_dir().joinpath(*parts)
    if not p.exists():
        pytest.skip(f"shared data file {p} is absent (set MASTHEAD_SHARED_DATA)")
    return p
