"""``manage.py check_comments``: input formats, JSON output and the errors a newsroom meets.

The engine is replaced by a small fake (``fake_batch``) so these tests check the command's
reading and printing, not the ML model; one test runs the real engine end to end.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from masthead.moderation.guidelines import pipeline
from masthead.moderation.guidelines.base import Decision, ReasonCode, RuleResult, Verdict

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_runtime() -> Any:
    """The command asks the learning runtime for the rules, which caches what it loaded for
    a few seconds; forget it afterwards so later tests load their own active version."""
    from masthead.moderation.guidelines.rules import site_model
    from masthead.moderation.learning import runtime

    yield
    site_model.install(None)
    runtime._state.update(checked=float("-inf"), stamp=None)


def _fake_verdict(text: str) -> Verdict:
    """HOLD as TOXIC with score 0.7 when the text contains "idiot", else publish (0.1)."""
    if "idiot" in text:
        return Verdict([RuleResult("abuse", Decision.HOLD, ReasonCode.TOXIC, "civil", 0.7)])
    return Verdict([RuleResult("abuse", score=0.1)])


@pytest.fixture
def fake_batch(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []

    def check_batch(texts: list[str], ctxs: Any = None, **_kw: Any) -> list[Verdict]:
        calls.append(list(texts))
        return [_fake_verdict(t) for t in texts]

    monkeypatch.setattr(pipeline, "check_batch", check_batch)
    return calls


def run(*args: str, stdin: bytes | None = None) -> tuple[list[dict[str, Any]], str]:
    out, err = io.StringIO(), io.StringIO()
    kwargs: dict[str, Any] = {"stdout": out, "stderr": err}
    if stdin is not None:
        kwargs["stdin"] = io.BytesIO(stdin)
    call_command("check_comments", *args, **kwargs)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_lines_file_one_json_line_per_comment(tmp_path: Path, fake_batch: Any) -> None:
    path = tmp_path / "comments.txt"
    path.write_text("A fair point about the budget.\n\nYou idiot, read it again.\n", "utf-8")
    results, err = run(str(path))
    assert [r["line"] for r in results] == [1, 3]  # the blank line is skipped, not renumbered
    first, second = results
    assert first["text"] == "A fair point about the budget."
    assert first["decision"] == "publish" and first["reasons"] == []
    assert second["decision"] == "hold" and second["reasons"] == ["TOXIC"]
    assert second["scores"] == {"abuse": 0.7}
    assert second["model_version"] == "base"
    assert "Checked 2 comments." in err


def test_csv_with_text_column_keeps_id_and_label(tmp_path: Path, fake_batch: Any) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        'id,Text,label\n7,"Multi-line\ncomment, with a comma",acceptable\n8,you idiot,abusive\n',
        "utf-8",
    )
    results, _ = run(str(path))
    assert [(r["id"], r["label"], r["line"]) for r in results] == [
        ("7", "acceptable", 2),
        ("8", "abusive", 4),
    ]
    assert results[0]["text"] == "Multi-line\ncomment, with a comma"
    assert results[1]["decision"] == "hold"


def test_stdin_and_format_option(fake_batch: Any) -> None:
    results, _ = run("-", stdin=b"one comment\nyou idiot\n")
    assert [r["decision"] for r in results] == ["publish", "hold"]
    results, _ = run("-", "--format", "csv", stdin=b"text\nyou idiot\n")
    assert [(r["line"], r["decision"]) for r in results] == [(2, "hold")]


def test_utf8_bom_and_crlf(tmp_path: Path, fake_batch: Any) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("\ufefftext\r\nCafé owners agree.\r\n".encode())
    results, _ = run(str(path))
    assert results[0]["text"] == "Café owners agree."


def test_batches_keep_order(tmp_path: Path, fake_batch: Any) -> None:
    from masthead.moderation import check_file

    path = tmp_path / "many.txt"
    path.write_text("".join(f"comment {i}\n" for i in range(check_file.BATCH_SIZE + 5)), "utf-8")
    results, _ = run(str(path))
    assert [r["text"] for r in results] == [
        f"comment {i}" for i in range(check_file.BATCH_SIZE + 5)
    ]
    assert [len(c) for c in fake_batch] == [check_file.BATCH_SIZE, 5]


def test_missing_file(tmp_path: Path, fake_batch: Any) -> None:
    with pytest.raises(CommandError, match="No such file: .*nope.txt"):
        run(str(tmp_path / "nope.txt"))


def test_folder_is_refused(tmp_path: Path, fake_batch: Any) -> None:
    with pytest.raises(CommandError, match="is a folder"):
        run(str(tmp_path))


def test_csv_without_text_column(tmp_path: Path, fake_batch: Any) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,body\n1,hello there\n", "utf-8")
    with pytest.raises(CommandError, match=r"no 'text' column.*'id', 'body'"):
        run(str(path))
    assert fake_batch == []


def test_csv_with_a_repeated_text_column(tmp_path: Path, fake_batch: Any) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("text,text\nFirst text.,Second text.\n", "utf-8")
    with pytest.raises(CommandError, match="'text' more than once"):
        run(str(path))
    assert fake_batch == []


def test_empty_csv(tmp_path: Path, fake_batch: Any) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", "utf-8")
    with pytest.raises(CommandError, match="is empty"):
        run(str(path))


def test_csv_short_rows_named_by_line(tmp_path: Path, fake_batch: Any) -> None:
    path = tmp_path / "short.csv"
    path.write_text("id,text\n1,fine\n2\n3,fine too\n4\n", "utf-8")
    with pytest.raises(CommandError, match="no text cell on lines 3, 5"):
        run(str(path))
    assert fake_batch == []


def test_csv_unclosed_quote_names_its_line(tmp_path: Path, fake_batch: Any) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('text\nfine\n"never closed\nstill inside\n', "utf-8")
    with pytest.raises(CommandError, match="line 3: not valid CSV .a quoted text that starts"):
        run(str(path))
    assert fake_batch == []


def test_semicolon_csv_from_a_spreadsheet(tmp_path: Path, fake_batch: Any) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("id;text\n1;you idiot, with a comma\n", "utf-8")
    results, _ = run(str(path))
    assert [(r["id"], r["text"], r["decision"]) for r in results] == [
        ("1", "you idiot, with a comma", "hold")
    ]


def test_bad_encoding_reports_line_numbers_and_prints_nothing(
    tmp_path: Path, fake_batch: Any
) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(b"fine line\ncaf\xe9 line\nanother\n\xff\xfe broken\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"not valid utf-8 text on lines 2, 4\b"):
        call_command("check_comments", str(path), stdout=out, stderr=io.StringIO())
    assert out.getvalue() == ""
    assert fake_batch == []
    results, _ = run(str(path), "--encoding", "latin-1")
    assert results[1]["text"] == "café line"


def test_unknown_encoding(tmp_path: Path, fake_batch: Any) -> None:
    path = tmp_path / "c.txt"
    path.write_text("hello\n", "utf-8")
    with pytest.raises(CommandError, match="Unknown encoding 'klingon'"):
        run(str(path), "--encoding", "klingon")


def test_site_word_list_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command checks with the site's context: a banned word added in the admin rejects."""
    from masthead.moderation import services

    services.add_word("bananas", "banned", None)
    seen: list[Any] = []

    def check_batch(texts: list[str], ctxs: Any = None, **_kw: Any) -> list[Verdict]:
        seen.extend(ctxs)
        return [Verdict([]) for _ in texts]

    monkeypatch.setattr(pipeline, "check_batch", check_batch)
    path = tmp_path / "c.txt"
    path.write_text("I like bananas.\n", "utf-8")
    run(str(path))
    assert "bananas" in seen[0].banned_words


def test_real_engine_end_to_end(tmp_path: Path) -> None:
    """No fake: the shipped engine decides a plain sentence and an empty-looking one."""
    path = tmp_path / "c.txt"
    path.write_text(
        "The council approved the new bus route after a long debate.\nhttp://a.example http://b.example http://c.example spam\n",
        "utf-8",
    )
    results, _ = run(str(path))
    assert results[0]["decision"] == "publish"
    assert "abuse" in results[0]["scores"]
    assert results[1]["decision"] in ("hold", "reject")
    assert "LINKS" in results[1]["reasons"]


class _FakeSiteModel:
    """Stands in for a trained site model: "spam" for texts with a link word, else abuse
    from the word "idiot"."""

    labels = ("acceptable", "abusive", "spam")

    def predict_scores(self, texts: list[str], base_rows: list[list[float]]) -> list[dict]:
        out = []
        for text in texts:
            abusive = 0.8 if "idiot" in text else 0.05
            spam = 0.9 if "buy" in text else 0.01
            out.append({"acceptable": 1 - max(abusive, spam), "abusive": abusive, "spam": spam})
        return out


def test_site_model_version_and_category_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from masthead.moderation import site_model_api
    from masthead.moderation.guidelines.pipeline import DEFAULT_RULES
    from masthead.moderation.guidelines.rules import site_model

    thresholds = {"abusive": {"hold": 0.5, "reject": 0.95}, "spam": {"hold": 0.5, "reject": 0.85}}
    site_model.install(_FakeSiteModel(), "site-7", thresholds)
    try:
        monkeypatch.setattr(
            site_model_api, "check_rules", lambda: site_model.site_rules(DEFAULT_RULES)
        )
        monkeypatch.setattr(site_model_api, "deciding_version", lambda: "site-7")
        path = tmp_path / "c.txt"
        path.write_text(
            "The council approved the new bus route after a long debate.\n"
            "You are an idiot and everyone at the meeting knows it.\n"
            "Please buy our wonderful watches at a very low price today.\n"
            "A bell \x07 rings.\n",
            "utf-8",
        )
        results, _ = run(str(path))
    finally:
        site_model.install(None)
    # The control-character comment is refused by a gate rule before any model runs; it
    # still names the model in use.
    assert [r["model_version"] for r in results] == ["site-7"] * 4
    assert results[3]["reasons"] == ["CONTROL_CHARS"] and "categories" not in results[3]["scores"]
    assert results[1]["scores"]["categories"]["abusive"] == 0.8
    assert results[1]["decision"] == "hold" and "TOXIC" in results[1]["reasons"]
    assert results[2]["decision"] == "reject" and "LINKS" in results[2]["reasons"]
    assert results[0]["decision"] == "publish"
