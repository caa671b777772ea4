"""The WSGI entry point moves start-up objects out of the garbage collector's reach."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CODE = "import gc, masthead.wsgi; print(gc.get_freeze_count())"


def frozen(tmp_path: Path, **env: str) -> int:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", CODE],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "masthead.settings.base",
            "MASTHEAD_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return int(result.stdout.strip().splitlines()[-1])


def test_startup_objects_are_frozen(tmp_path):
    assert frozen(tmp_path) > 50_000  # Django, Wagtail, the URL conf and templates


def test_freezing_can_be_turned_off(tmp_path):
    assert frozen(tmp_path, MASTHEAD_GC_FREEZE="0") == 0
