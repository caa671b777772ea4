"""The member CSV layout: columns, reading and checking rows, and safe cells on export.

Columns are Ghost's member export (``email, name, note, subscribed_to_emails,
complimentary_plan, labels, created_at``; Substack's export maps onto them) plus ours:
``newsletters`` (slugs, comma-separated), ``offers_consent``, ``offers_consent_at`` and
``offers_consent_source``. Only ``email`` is required; other columns in the file (Ghost
also exports ``id``, ``stripe_customer_id``, ``tiers``, ...) are ignored and named.

:func:`read_rows` checks every row before anything is written and returns the rows or
the problems by line number, so a file with one bad row changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.dateparse import parse_datetime

from masthead.newsletters.models import normalise_email

GHOST_COLUMNS = [
    "email",
    "name",
    "note",
    "subscribed_to_emails",
    "complimentary_plan",
    "labels",
    "created_at",
]
OUR_COLUMNS = ["newsletters", "offers_consent", "offers_consent_at", "offers_consent_source"]
COLUMNS = GHOST_COLUMNS + OUR_COLUMNS

_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_ERRORS = 200  # problems listed; the count says how many more


def safe_cell(value: object) -> str:
    """``value`` as text for a CSV cell, with a leading ``'`` when a spreadsheet would
    read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape_cell(text: str) -> str:
    """Undo :func:`safe_cell` (an exported file imports back unchanged)."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


@dataclass(slots=True)
class MemberRow:
    """One checked row. ``line`` is the file's line number (the header is line 1)."""

    line: int
    email: str
    name: str
    note: str
    subscribed: bool
    complimentary: bool
    labels: str
    created_at: datetime
    newsletters: list[str]
    offers: bool
    offers_at: datetime | None
    offers_source: str


@dataclass
class ReadResult:
    """Rows when the whole file is good; otherwise ``errors`` (``(line, message)``) for
    bad rows, or ``problem`` when the file as a whole cannot be read (empty, not UTF-8,
    a header without an email column or with a column twice): that is no "bad row"."""

    rows: list[MemberRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    problem: str = ""
    delimiter: str = ","

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and not self.problem

    def refuse(self, message: str) -> None:
        """Refuse the whole file with ``message`` (no row is kept)."""
        self.problem = message
        self.rows = []

    def add(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, message))


def _bool(raw: str, column: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{column} must be true or false, not “{raw[:40]}”")


def _time(raw: str, column: str, now: datetime) -> datetime | None:
    text = raw.strip()
    if not text:
        return None
    try:
        value = parse_datetime(text.replace(" UTC", "Z"))
    except ValueError:
        value = None
    if value is None:
        raise ValueError(
            f"{column} is not a date and time (use ISO 8601, e.g. 2024-05-01T09:30:00Z)"
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # Ghost and Substack export UTC
    if value > now:
        raise ValueError(f"{column} is in the future")
    return value


def decode(data: bytes) -> str:
    """The file's text (UTF-8, with or without a byte-order mark).

    :raises ValueError: not UTF-8.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"The file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8 and try again."
        ) from exc


def read_rows(
    text: str, newsletter_slugs: Iterable[str], offers_slugs: Iterable[str], now: datetime
) -> ReadResult:
    """Check every row of CSV ``text``; see the module documentation.

    ``newsletter_slugs``: the newsletters a row may name; ``offers_slugs``: those among
    them that are offers lists (they need the row's offers consent).
    """
    result = ReadResult()
    known, offers_lists = set(newsletter_slugs), set(offers_slugs)
    if not text.strip():
        result.refuse("The file is empty.")
        return result
    result.delimiter = delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        result.refuse(f"Not a CSV file: {exc}")
        return result
    names = [h.strip().lower() for h in header]
    if "email" not in names:
        result.refuse(_no_email_message(names, delimiter))
        return result
    twice = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if twice:
        result.refuse(
            f"The header has the column {', '.join(twice)} more than once; "
            "keep one and import again."
        )
        return result
    result.ignored_columns = [h for h in names if h and h not in COLUMNS]
    index = {name: names.index(name) for name in COLUMNS if name in names}
    seen: dict[str, int] = {}
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # blank line
            row = _check(number, cells, index, known, offers_lists, seen, now, result)
            if row is not None:
                result.rows.append(row)
    except csv.Error as exc:
        result.add(reader.line_num, f"The CSV is malformed: {exc}")
    if result.error_count:
        result.rows = []
    return result


_DELIMITER_NAMES = {",": "“,” (comma)", ";": "“;” (semicolon)", "\t": "tab"}


def _delimiter(text: str) -> str:
    """The separator of the file: ``,`` when the header names an email column with it,
    else what :class:`csv.Sniffer` finds in the header line among ``,``, ``;`` and tab
    (spreadsheets in many locales save "CSV" with semicolons)."""
    first = text.lstrip("\r\n").splitlines()[0]
    if "email" in (h.strip().lower() for h in next(csv.reader([first]), [])):
        return ","
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _no_email_message(names: list[str], delimiter: str) -> str:
    shown = ", ".join(f"“{n[:40]}”" for n in names[:8]) or "nothing"
    message = (
        f"The header has no email column (read with {_DELIMITER_NAMES[delimiter]} as the "
        f"separator, it names {shown})."
    )
    if delimiter == ",":
        other = [d for d in (";", "\t") if d in ",".join(names)]
        if other:
            message += f" The file seems to use {_DELIMITER_NAMES[other[0]]} as separator."
    return message


def _check(
    number: int,
    cells: list[str],
    index: dict[str, int],
    known: set[str],
    offers_lists: set[str],
    seen: dict[str, int],
    now: datetime,
    result: ReadResult,
) -> MemberRow | None:
    def cell(name: str) -> str:
        i = index.get(name)
        return unescape_cell(cells[i]) if i is not None and i < len(cells) else ""

    problems: list[str] = []
    email = normalise_email(cell("email"))
    try:
        validate_email(email)
    except ValidationError:
        problems.append(f"“{email[:60]}” is not an email address" if email else "email is empty")
    if email in seen:
        problems.append(f"{email} is also on line {seen[email]}")
    seen.setdefault(email, number)
    name, note, labels = cell("name").strip(), cell("note").strip(), cell("labels").strip()
    if len(name) > 150:
        problems.append("name is longer than 150 characters")
    if len(labels) > 500:
        problems.append("labels are longer than 500 characters")
    values: dict[str, object] = {}
    failed: set[str] = set()
    for column in ("subscribed_to_emails", "complimentary_plan", "offers_consent"):
        try:
            values[column] = _bool(cell(column), column)
        except ValueError as exc:
            problems.append(str(exc))
            failed.add(column)
    for column in ("created_at", "offers_consent_at"):
        try:
            values[column] = _time(cell(column), column, now)
        except ValueError as exc:
            problems.append(str(exc))
            failed.add(column)
    slugs = [s.strip() for s in cell("newsletters").split(",") if s.strip()]
    unknown = [s for s in slugs if s not in known]
    if unknown:
        problems.append(f"unknown newsletter {', '.join(unknown)}")
    subscribed = bool(values.get("subscribed_to_emails"))
    if slugs and not subscribed and "subscribed_to_emails" in index:
        problems.append("newsletters are listed but subscribed_to_emails is false")
    offers = bool(values.get("offers_consent"))
    if offers and values.get("offers_consent_at") is None and "offers_consent_at" not in failed:
        problems.append(
            "offers_consent is true but offers_consent_at (when they consented) is empty: "
            "offers are only turned on with recorded consent"
        )
    if not offers and any(s in offers_lists for s in slugs):
        problems.append("an offers newsletter is listed without offers consent")
    if problems:
        result.add(number, "; ".join(problems))
        return None
    return MemberRow(
        line=number,
        email=email,
        name=name,
        note=note,
        subscribed=subscribed or bool(slugs),
        complimentary=bool(values.get("complimentary_plan")),
        labels=labels,
        created_at=values.get("created_at") or now,  # type: ignore[arg-type]
        newsletters=slugs,
        offers=offers,
        offers_at=values.get("offers_consent_at"),  # type: ignore[arg-type]
        offers_source=cell("offers_consent_source").strip()[:60],
    )


def write_rows(rows: Iterable[dict[str, object]]) -> Iterator[str]:
    """CSV lines (header first) for export rows keyed by :data:`COLUMNS`, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        out = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return out

    writer.writerow(COLUMNS)
    yield flush()
    for row in rows:
        writer.writerow([safe_cell(row.get(c, "")) for c in COLUMNS])
        yield flush()
