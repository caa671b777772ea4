"""The dateline line, formatted as the seed page prints it.

Source of the format: the captured page in ``shared/seed`` shows
``October 07, 2021 09:31 pm | Updated 09:31 pm IST - Moscow``: full month name,
two-digit day, 12-hour clock with a lower-case am/pm, the zone's abbreviation once
at the end of the time part, then `` - `` and the dateline place.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def site_zone() -> ZoneInfo:
    """Return the site's time zone (``SITE_TIME_ZONE``, default ``Asia/Kolkata``)."""
    return ZoneInfo(settings.TIME_ZONE)


def _clock(value: datetime) -> str:
    return value.strftime("%I:%M ") + ("am" if value.hour < 12 else "pm")


def _day(value: datetime) -> str:
    return f"{_MONTHS[value.month - 1]} {value.day:02d}, {value.year}"


def dateline_text(
    published: datetime | None, updated: datetime | None = None, place: str = ""
) -> str:
    """Return the dateline line for a story.

    :param published: aware datetime of first publication (``None``: no time part).
    :param updated: aware datetime of the last update, or ``None``. Shown as
        ``| Updated <time>`` when given; when it falls on another local day than
        ``published`` the full date is printed too.
    :param place: the dateline place (``"Moscow"``); omitted with its dash if empty.
    :returns: e.g. ``"October 07, 2021 09:31 pm | Updated 09:31 pm IST - Moscow"``.
    """
    zone = site_zone()
    parts: list[str] = []
    if published is not None:
        local = timezone.localtime(published, zone)
        text = f"{_day(local)} {_clock(local)}"
        last = local
        if updated is not None:
            up = timezone.localtime(updated, zone)
            same_day = up.date() == local.date()
            text += f" | Updated {_clock(up) if same_day else _day(up) + ' ' + _clock(up)}"
            last = up
        text += f" {last.tzname()}"
        parts.append(text)
    if place:
        parts.append(place)
    return " - ".join(parts)


def site_time_text(value: datetime | None) -> str:
    """A moment in the datelines' style, in the site's zone with its abbreviation.

    ``December 08, 2026 03:41 am IST``: what comments and other times on the reader
    pages show, so every time on a page reads the same way and says its zone.
    """
    if value is None:
        return ""
    local = timezone.localtime(value, site_zone())
    return f"{_day(local)} {_clock(local)} {local.tzname()}"


_ZONE_ABBREVIATIONS = {
    "IST": "Asia/Kolkata",
    "UTC": "UTC",
    "GMT": "UTC",
    "BST": "Europe/London",
    "CET": "Europe/Paris",
    "CEST": "Europe/Paris",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "JST": "Asia/Tokyo",
    "MSK": "Europe/Moscow",
}
_TIME = r"(?P<{0}h>\d{{1,2}}):(?P<{0}m>\d{{2}})\s*(?P<{0}ap>[ap]\.?m\.?)"
_DATE = r"(?P<{0}mon>[A-Za-z]+)\.?\s+(?P<{0}d>\d{{1,2}}),?\s+(?P<{0}y>\d{{4}})"
DATELINE_RE = re.compile(
    r"^\s*"
    + _DATE.format("p")
    + r"\s+"
    + _TIME.format("p")
    + r"(?:\s*\|\s*Updated\s+(?:"
    + _DATE.format("u")
    + r"\s+)?"
    + _TIME.format("u")
    + r")?"
    + r"(?:\s+(?P<zone>[A-Z]{2,5}))?"
    + r"(?:\s+[-\u2013\u2014]\s+(?P<place>.+?))?\s*$",
    re.IGNORECASE,
)


class DatelineError(ValueError):
    """A line that should be a dateline could not be read as one."""


def _month(name: str) -> int:
    for index, month in enumerate(_MONTHS, start=1):
        if month.lower().startswith(name.lower()[:3]):
            return index
    raise DatelineError(f"unknown month {name!r}")


def _to_24h(hour: int, ampm: str) -> int:
    if not 1 <= hour <= 12:
        raise DatelineError(f"hour {hour} is not on a 12-hour clock")
    pm = ampm.lower().startswith("p")
    return (hour % 12) + (12 if pm else 0)


def parse_dateline(line: str) -> tuple[datetime, datetime | None, str]:
    """Parse a dateline line into ``(published, updated_or_None, place)``.

    Accepts the seed layout and small variants (abbreviated month, ``a.m.``, an en
    dash before the place, a full date after ``Updated``). Times are read in the zone
    the line names (``IST``, ``GMT``…) or, when it names none, the site's zone.

    :raises DatelineError: when the line is not a dateline or names an impossible date.
    """
    match = DATELINE_RE.match(line)
    if not match:
        raise DatelineError(f"not a dateline line: {line[:80]!r}")
    g = match.groupdict()
    abbrev = (g.get("zone") or "").upper()
    zone = ZoneInfo(_ZONE_ABBREVIATIONS[abbrev]) if abbrev in _ZONE_ABBREVIATIONS else site_zone()
    try:
        published = datetime(
            int(g["py"]),
            _month(g["pmon"]),
            int(g["pd"]),
            _to_24h(int(g["ph"]), g["pap"]),
            int(g["pm"]),
            tzinfo=zone,
        )
        updated = None
        if g.get("uh"):
            if g.get("uy"):
                year, month, day = int(g["uy"]), _month(g["umon"]), int(g["ud"])
            else:
                year, month, day = published.year, published.month, published.day
            updated = datetime(
                year, month, day, _to_24h(int(g["uh"]), g["uap"]), int(g["um"]), tzinfo=zone
            )
    except ValueError as exc:
        raise DatelineError(f"impossible date in {line[:80]!r}: {exc}") from exc
    return published, updated, (g.get("place") or "").strip()
