"""The decision store's one writer: every labelled decision goes through :func:`record_decision`.

Callers:

* the moderation queue (approve, reject with a category, bulk actions, resolving reports):
  :func:`record_comment_outcome`, called from ``services.log_decision`` for every approve or
  reject of a comment, so no path that logs a decision escapes the store;
* comment imports (``masthead.migration``): :func:`record_imported_comments` maps the old
  platform's state (Disqus ``isDeleted``/``isSpam``, WXR ``comment_approved``, a CSV
  ``status``) to labels (see :data:`IMPORTED_STATUS_LABELS`);
* ``manage.py import_decisions FILE.csv``: :func:`import_decisions_file`;
* ``make eval``'s replay of a labelled set: :func:`record_decision` with ``source="replay"``.

Erasing a member (``accounts.signals.erase_personal_data``) calls :func:`erase_member`,
which deletes the rows of the member's texts, so they leave all later training.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from masthead.moderation.learning.models import DecisionSource, GuidelineLabel, LabelledDecision

LABELS: tuple[str, ...] = tuple(GuidelineLabel.values)
#: Labels a moderator can give when rejecting (everything except acceptable).
REJECT_CATEGORIES: tuple[str, ...] = tuple(x for x in LABELS if x != GuidelineLabel.ACCEPTABLE)

#: Engine reason code -> label, used when a moderator rejects without naming a category.
REASON_LABELS: dict[str, str] = {
    "TOXIC": GuidelineLabel.ABUSIVE,
    "BANNED_WORD": GuidelineLabel.ABUSIVE,
    "SUSPECT_WORD": GuidelineLabel.ABUSIVE,
    "PERSONAL_ATTACK": GuidelineLabel.PERSONAL,
    "PERSONAL_DATA": GuidelineLabel.PERSONAL,
    "NOT_ENGLISH": GuidelineLabel.NOT_ENGLISH,
    "NOT_SENTENCES": GuidelineLabel.NOT_SENTENCES,
    "LINKS": GuidelineLabel.SPAM,
    "REPEAT_POST": GuidelineLabel.SPAM,
    # reason codes of the small explainable rules (branch guidelines-rules)
    "VIOLENT_SPEECH": GuidelineLabel.ABUSIVE,
    "DEHUMANISING": GuidelineLabel.ABUSIVE,
    "DODGED_SWEARING": GuidelineLabel.ABUSIVE,
    "REPETITION": GuidelineLabel.NOT_SENTENCES,
}
#: Reader report reason -> label (the comments app's ``ReportReason`` values).
REPORT_LABELS: dict[str, str] = {
    "abuse": GuidelineLabel.ABUSIVE,
    "personal": GuidelineLabel.PERSONAL,
    "spam": GuidelineLabel.SPAM,
    "language": GuidelineLabel.NOT_ENGLISH,
}
#: An imported comment's status (as the importer maps the old platform's state) -> label.
#: ``pending`` (WXR ``comment_approved`` 0, CSV ``pending``) was never decided on the old
#: platform and is not recorded. Neither is ``deleted`` (Disqus ``isDeleted``, WXR
#: ``trash``): Disqus marks a comment its own author removed the same way, and a trashed
#: comment carries no reason, so calling it abusive would teach the model a guess.
IMPORTED_STATUS_LABELS: dict[str, str] = {
    "published": GuidelineLabel.ACCEPTABLE,
    "spam": GuidelineLabel.SPAM,
}


class DecisionStoreError(ValueError):
    """Bad input to the decision store; ``str(error)`` says what is wrong."""


# --- the one writer ------------------------------------------------------------------------


def _check(label: str, source: str) -> None:
    if label not in LABELS:
        raise DecisionStoreError(f"Unknown label {label!r}; use one of {', '.join(LABELS)}.")
    if source not in DecisionSource.values:
        raise DecisionStoreError(f"Unknown source {source!r}.")


def record_decision(
    text: str,
    label: str,
    source: str,
    *,
    decided_by: Any | None = None,
    member: Any | None = None,
    comment: Any | None = None,
    decided_at: datetime | None = None,
    schedule: bool = True,
) -> LabelledDecision | None:
    """Store one labelled decision and return it (None for an empty text: nothing to learn).

    ``label`` is a :class:`GuidelineLabel` value, ``source`` a :class:`DecisionSource`
    value (raises :class:`DecisionStoreError` otherwise). ``member`` is whose text it is.
    With ``schedule`` (default) the retrain task is queued once enough new decisions
    have arrived (``MASTHEAD_GUIDELINES_RETRAIN_EVERY``), after the transaction commits.
    """
    _check(label, source)
    text = (text or "").strip()
    if not text:
        return None
    row = LabelledDecision.objects.create(
        text=text,
        label=label,
        source=source,
        decided_at=decided_at or timezone.now(),
        decided_by=decided_by if getattr(decided_by, "pk", None) else None,
        member=member if getattr(member, "pk", None) else None,
        comment=comment,
    )
    if schedule:
        _schedule_after_commit()
    return row


def record_many(rows: Iterable[LabelledDecision], *, schedule: bool = True) -> int:
    """Store many unsaved :class:`LabelledDecision` rows at once (imports); returns the count.

    Every row's label and source are checked first; nothing is written if one is bad.
    """
    todo = [r for r in rows if (r.text or "").strip()]
    for r in todo:
        _check(r.label, r.source)
    LabelledDecision.objects.bulk_create(todo, batch_size=1000)
    if schedule and todo:
        _schedule_after_commit()
    return len(todo)


def _schedule_after_commit() -> None:
    from masthead.moderation.learning.tasks import maybe_schedule_training

    transaction.on_commit(maybe_schedule_training)


# --- moderators' outcomes -------------------------------------------------------------------

_deciding: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "moderation_deciding", default=None
)


@contextlib.contextmanager
def deciding(source: str = DecisionSource.QUEUE, category: str = "") -> Iterator[None]:
    """Tell :func:`record_comment_outcome` where the decisions made inside come from
    (queue, bulk, report) and the category a moderator gave for rejections."""
    if category and category not in REJECT_CATEGORIES:
        raise DecisionStoreError(
            f"Unknown category {category!r}; use one of {', '.join(REJECT_CATEGORIES)}."
        )
    token = _deciding.set({"source": source, "category": category})
    try:
        yield
    finally:
        _deciding.reset(token)


def rejection_label(comment: Any, category: str = "") -> str:
    """The label of a rejected ``comment``: the moderator's ``category``, else the first
    engine reason that maps to one, else the commonest open report reason, else abusive."""
    if category in REJECT_CATEGORIES:
        return category
    verdict = comment.verdict if isinstance(getattr(comment, "verdict", None), dict) else {}
    for code in verdict.get("reasons") or ():
        if code in REASON_LABELS:
            return REASON_LABELS[code]
    reports = getattr(comment, "reports", None)
    if reports is not None and getattr(comment, "pk", None):
        for reason in reports.values_list("reason", flat=True):
            if reason in REPORT_LABELS:
                return REPORT_LABELS[reason]
    return GuidelineLabel.ABUSIVE


def record_comment_outcome(comment: Any, action: str, actor: Any | None) -> LabelledDecision | None:
    """Record a moderator's approve (acceptable) or reject (a category) of ``comment``.

    Source and category come from the enclosing :func:`deciding` block (default: the
    queue, category from the engine's reasons). Other actions are ignored.
    """
    if action not in ("approve", "reject"):
        return None
    ctx = _deciding.get() or {"source": DecisionSource.QUEUE, "category": ""}
    if action == "approve":
        label = GuidelineLabel.ACCEPTABLE
    else:
        label = rejection_label(comment, ctx["category"])
    return record_decision(
        comment.body,
        label,
        ctx["source"],
        decided_by=actor,
        member=comment.author if comment.author_id else None,
        comment=comment,
    )


# --- imported archives ------------------------------------------------------------------------


def record_imported_comments(
    items: Iterable[tuple[int, str, str, int | None, datetime | None]],
) -> int:
    """Record imported comments' old moderation state: ``(comment id, text, status,
    member id or None, decided at)`` per comment; ``status`` as the importer mapped it
    (:data:`IMPORTED_STATUS_LABELS`; ``pending`` is skipped). Returns rows written."""
    rows = [
        LabelledDecision(
            text=text,
            label=IMPORTED_STATUS_LABELS[status],
            source=DecisionSource.IMPORT,
            decided_at=when or timezone.now(),
            member_id=member_id,
            comment_id=comment_id,
        )
        for comment_id, text, status, member_id, when in items
        if status in IMPORTED_STATUS_LABELS
    ]
    return record_many(rows)


# --- erase ----------------------------------------------------------------------------------


def erase_member(user: Any) -> int:
    """Delete the decisions about ``user``'s texts (their own rows and their comments').

    Returns the number of rows deleted. Later trainings never see them again.
    """
    deleted, _ = LabelledDecision.objects.filter(Q(member=user) | Q(comment__author=user)).delete()
    return deleted


# --- import_decisions files ---------------------------------------------------------------


@dataclass(slots=True)
class FileImportResult:
    """Outcome of :func:`import_decisions_file`: rows written, or the errors (nothing written)."""

    written: int
    errors: list[str]
    counts: dict[str, int]


MAX_TEXT = 20_000


def read_decisions_csv(data: bytes) -> tuple[list[tuple[str, str]], list[str]]:
    """Parse a ``text,label`` CSV (header row required); returns ``(rows, errors)``.

    Errors name the line number (a quoted text spanning lines counts from its first line).
    """
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [f"line {line}: not UTF-8 text (byte {exc.start}); save the file as UTF-8."]
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], ["line 1: the file is empty; expected a header row 'text,label'."]
    except csv.Error as exc:
        return [], [f"line 1: {exc}"]
    names = [h.strip().lower() for h in header]
    if "text" not in names or "label" not in names:
        return [], [f"line 1: the header must name the columns text and label (found {header})."]
    twice = sorted({n for n in ("text", "label") if names.count(n) > 1})
    if twice:
        return [], [f"line 1: the header names the column {' and '.join(twice)} more than once."]
    ti, li = names.index("text"), names.index("label")
    rows: list[tuple[str, str]] = []
    errors: list[str] = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            rec = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(f"line {start}: {exc}")
            break
        line = reader.line_num
        if not rec or all(not c.strip() for c in rec):
            continue
        if len(rec) <= max(ti, li):
            errors.append(f"line {start}: expected {len(names)} columns, found {len(rec)}.")
            continue
        text, label = rec[ti].strip(), rec[li].strip().lower()
        if not text:
            errors.append(f"line {start}: the text is empty.")
        elif len(text) > MAX_TEXT:
            errors.append(f"line {start}: the text is longer than {MAX_TEXT:,} characters.")
        elif label not in LABELS:
            errors.append(
                f"line {start}: unknown label {rec[li]!r}; use one of {', '.join(LABELS)}."
            )
        else:
            rows.append((text, label))
    return rows, errors


def import_decisions_file(path: Path | str, decided_by: Any | None = None) -> FileImportResult:
    """Import a ``text,label`` CSV into the store: validate every row first, then write all
    rows in one transaction. Any bad row: nothing is written and every error is returned."""
    rows, errors = read_decisions_csv(Path(path).read_bytes())
    if errors:
        return FileImportResult(0, errors, {})
    if not rows:
        return FileImportResult(0, ["the file has no decisions after its header row."], {})
    now = timezone.now()
    counts: dict[str, int] = {}
    for _text, label in rows:
        counts[label] = counts.get(label, 0) + 1
    with transaction.atomic():
        written = record_many(
            LabelledDecision(
                text=text,
                label=label,
                source=DecisionSource.FILE,
                decided_at=now,
                decided_by=decided_by,
            )
            for text, label in rows
        )
    return FileImportResult(written, [], counts)
