"""Parsing of database ids that arrive from the outside (forms, URLs, JSON)."""

from __future__ import annotations

#: Largest value a 64-bit signed integer column holds (SQLite INTEGER, PostgreSQL bigint).
MAX_DB_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """Return ``value`` as a positive database id, or ``None`` when it cannot be one.

    Accepts an ``int`` or a string of ASCII digits. Anything else — empty, negative, not a
    number, or larger than :data:`MAX_DB_ID` (which would make the database driver raise
    ``OverflowError``) — gives ``None`` so callers can answer 400/404 instead of 500.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= MAX_DB_ID else None
