"""Shared fixtures: paths to hand-written samples and to the real shared exports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FILES = Path(__file__).parent / "files"
REPO = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("MASTHEAD_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_file(relative: str) -> Path:
    """Path of a real export under the shared data folder; skip the test if absent."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(
            f"shared data file {path} not found (set MASTHEAD_SHARED_DATA to the shared/data folder)"
        )
    return path
