"""Member import and export as staff and the management commands call them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from masthead.members.csvio import ReadResult, decode, read_rows, write_rows
from masthead.members.exporter import member_rows
from masthead.members.importer import ImportResult, import_members
from masthead.members.staff import staff_emails
from masthead.newsletters.models import Newsletter


@dataclass
class Outcome:
    """``checked``: the file check (rows or errors by line); ``done``: what was written
    (None when the file was refused, so nothing was)."""

    checked: ReadResult
    done: ImportResult | None


def import_csv(data: bytes, source: str, *, dry_run: bool = False) -> Outcome:
    """Check the whole CSV file ``data``, then import it in one transaction (or, with
    ``dry_run``, count what it would do and write nothing)."""
    try:
        text = decode(data)
    except ValueError as exc:
        checked = ReadResult()
        checked.refuse(str(exc))
        return Outcome(checked, None)
    letters = list(Newsletter.objects.values_list("slug", "kind"))
    checked = read_rows(
        text,
        [slug for slug, _ in letters],
        [slug for slug, kind in letters if kind == Newsletter.Kind.OFFERS],
        timezone.now(),
    )
    _refuse_staff(checked)
    if not checked.ok:
        return Outcome(checked, None)
    return Outcome(checked, import_members(checked.rows, source or "csv", dry_run=dry_run))


def _refuse_staff(checked: ReadResult) -> None:
    """Report every row whose address belongs to a staff account as a bad row: staff
    are not members, so such a row is never stored (nor exported later)."""
    staff = staff_emails()
    for row in checked.rows:
        if row.email in staff:
            checked.add(
                row.line,
                f"{row.email} belongs to a staff account; staff are not members and are "
                "never imported",
            )
    if checked.error_count:
        checked.rows = []


def export_csv() -> Iterator[str]:
    """The member CSV, line by line (formula-safe cells)."""
    return write_rows(member_rows())
