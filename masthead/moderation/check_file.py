"""Check a file of comments against the site's guidelines (``manage.py check_comments``).

A newsroom uses it to see how its current rules and model would decide a set of comments,
and for evaluation. Two input layouts:

* plain text, one comment per line (blank lines are skipped, line numbers still count);
* CSV with a header row holding a ``text`` column (``id`` and ``label`` columns, when
  present, are copied to the output so results can be joined back).

The whole input is read and validated before anything is checked, so a bad file gives one
clear error (with line numbers) and no half output.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from masthead.moderation import site_model_api
from masthead.moderation.guidelines.base import CheckContext, Verdict

#: Comments checked per engine batch (the abuse model scores a batch at once).
BATCH_SIZE = 256
#: At most this many line numbers are listed in an error message.
MAX_LISTED = 20
#: CSV columns copied from the input to each output line when present.
PASSTHROUGH_COLUMNS = ("id", "label")


class InputError(ValueError):
    """The input cannot be read; ``str(error)`` says why and where, for the user."""


@dataclass(frozen=True, slots=True)
class InputComment:
    """One comment to check: its text and where it came from."""

    line: int
    text: str
    extra: dict[str, str]


def _listed(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:MAX_LISTED])
    more = len(numbers) - MAX_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


def decode_lines(raw: bytes, name: str, encoding: str = "utf-8") -> list[str]:
    """Split ``raw`` into lines (ends kept) and decode each; a leading BOM is dropped.

    Raises :class:`InputError` naming every line (1-based) that is not valid ``encoding``.
    """
    try:
        "".encode(encoding)
    except LookupError as exc:
        raise InputError(f"Unknown encoding {encoding!r}.") from exc
    lines: list[str] = []
    bad: list[int] = []
    for number, chunk in enumerate(raw.splitlines(keepends=True), start=1):
        if (
            number == 1
            and chunk.startswith(b"\xef\xbb\xbf")
            and encoding.lower()
            in (
                "utf-8",
                "utf8",
            )
        ):
            chunk = chunk[3:]
        try:
            lines.append(chunk.decode(encoding))
        except UnicodeDecodeError:
            bad.append(number)
    if bad:
        plural = "s" if len(bad) > 1 else ""
        raise InputError(
            f"{name} is not valid {encoding} text on line{plural} {_listed(bad)}. "
            "Save it as UTF-8, or give its encoding with --encoding."
        )
    return lines


def parse_lines(lines: list[str]) -> list[InputComment]:
    """One comment per non-blank line; the trailing line break is not part of the text."""
    out = []
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if text.strip():
            out.append(InputComment(number, text, {}))
    return out


def _delimiter(first_line: str) -> str:
    """A comma, or the semicolon or tab a spreadsheet used when the header row has no comma."""
    if "," not in first_line:
        for candidate in (";", "\t"):
            if candidate in first_line:
                return candidate
    return ","


def parse_csv(lines: list[str], name: str) -> list[InputComment]:
    """Rows of a CSV whose header has a ``text`` column (matched case-insensitively),
    separated by commas (or semicolons or tabs when the header row has no comma).

    Raises :class:`InputError` for an empty file, a header without ``text``, malformed CSV
    or rows too short to have a text cell (with their line numbers).
    """
    reader = csv.reader(lines, delimiter=_delimiter(lines[0] if lines else ""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{name} is empty: a CSV needs a header row with a text column.") from None
    except csv.Error as exc:
        raise InputError(f"{name} line 1: not valid CSV ({exc}).") from exc
    names = [h.strip().lower() for h in header]
    if "text" not in names:
        shown = ", ".join(repr(h) for h in header) or "(nothing)"
        raise InputError(f"{name} has no 'text' column. Its header row is: {shown}.")
    for column in ("text", "id", "label"):
        if names.count(column) > 1:
            raise InputError(f"{name}: the header names the column {column!r} more than once.")
    text_at = names.index("text")
    extra_at = {c: names.index(c) for c in PASSTHROUGH_COLUMNS if c in names}
    out: list[InputComment] = []
    short: list[int] = []
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            why = (
                "a quoted text that starts here is never closed"
                if "unexpected end of data" in str(exc)
                else str(exc)
            )
            raise InputError(f"{name} line {start}: not valid CSV ({why}).") from exc
        if row:  # csv gives [] for a blank line
            if len(row) <= text_at:
                short.append(start)
            else:
                extra = {c: row[i] for c, i in extra_at.items() if i < len(row)}
                out.append(InputComment(start, row[text_at], extra))
        start = reader.line_num + 1
    if short:
        raise InputError(
            f"{name}: no text cell on line{'s' if len(short) > 1 else ''} {_listed(short)} "
            "(the row has fewer columns than the header)."
        )
    return out


def read_comments(
    stream: BinaryIO, name: str, fmt: str = "lines", encoding: str = "utf-8"
) -> list[InputComment]:
    """Read and validate every comment in ``stream`` (``fmt`` is ``"lines"`` or ``"csv"``)."""
    lines = decode_lines(stream.read(), name, encoding)
    return parse_csv(lines, name) if fmt == "csv" else parse_lines(lines)


def _scores(verdict: Verdict) -> dict[str, Any]:
    """Every score the rules gave, by rule name, plus the site model's per-category scores."""
    scores: dict[str, Any] = {}
    for result in verdict.results:
        if result.score is not None:
            scores[result.rule] = result.score
    model_scores = site_model_api.scores_from_verdict(verdict.to_dict())
    if model_scores:
        scores["categories"] = model_scores
    return scores


def check_comments(
    comments: Iterable[InputComment], ctx: CheckContext | None = None
) -> Iterator[dict[str, Any]]:
    """Yield one JSON-able result per comment, in input order: line, text, decision,
    reasons, scores and the model version (the one named in the site model's result, else
    the one in use -- "base" without a site model or when an active version's file could
    not be loaded -- e.g. for a comment refused by a gate rule before any model ran)."""
    from masthead.moderation.guidelines.pipeline import check_batch

    ctx = ctx or CheckContext()
    items = iter(comments)
    while True:
        batch = [c for _, c in zip(range(BATCH_SIZE), items, strict=False)]
        if not batch:
            return
        rules = site_model_api.check_rules()
        verdicts = check_batch([c.text for c in batch], [ctx] * len(batch), rules=rules)
        in_use = site_model_api.deciding_version()
        for comment, verdict in zip(batch, verdicts, strict=True):
            yield {
                "line": comment.line,
                **comment.extra,
                "text": comment.text,
                "decision": str(verdict.decision),
                "reasons": [r.value for r in verdict.reasons],
                "scores": _scores(verdict),
                "model_version": site_model_api.version_from_verdict(verdict.to_dict()) or in_use,
            }


def to_json_line(result: dict[str, Any]) -> str:
    """One result as a compact JSON line (UTF-8 text kept readable)."""
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))
