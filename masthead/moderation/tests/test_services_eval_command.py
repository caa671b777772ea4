"""``manage.py eval_guidelines`` delegates to the engine's evaluation and prints its table."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command


def test_eval_guidelines_prints_table(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from masthead.moderation import evaluate

    seen: dict[str, Any] = {}

    def fake_evaluate(log: Any) -> list[dict[str, Any]]:
        seen["data_dir"] = str(evaluate.data_dir())
        return [{"rule": "language", "dataset": "demo", "n": 3}]

    def fake_print(rows: list[dict[str, Any]], out: Any) -> None:
        out.write(f"TABLE {rows[0]['rule']} {rows[0]['n']}\n")

    monkeypatch.setattr(evaluate, "evaluate", fake_evaluate)
    monkeypatch.setattr(evaluate, "print_table", fake_print)
    out = io.StringIO()
    monkeypatch.setenv("MASTHEAD_SHARED_DATA", "unset")  # restored after the test
    call_command("eval_guidelines", "--data-dir", str(tmp_path), stdout=out)
    assert seen["data_dir"] == str(tmp_path / "data")  # --data-dir names shared/
    assert "TABLE language 3" in out.getvalue()
