"""``manage.py import_decisions FILE.csv``: bring a newsroom's own moderation history.

The file has a header row with the columns ``text`` and ``label`` (acceptable, abusive,
personal, not_english, not_sentences, spam). Every row is checked first; any bad row is
reported by its line number and nothing is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    """Import labelled decisions from a CSV file into the decision store."""

    help = "Import moderation decisions (CSV with columns text,label) for the guidelines model."

    def add_arguments(self, parser: CommandParser) -> None:
        """``FILE``: the CSV file."""
        parser.add_argument("file", help="CSV file with a header row naming text and label.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Validate the whole file, then write it in one transaction (or nothing)."""
        from masthead.moderation.learning.store import import_decisions_file

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        result = import_decisions_file(path)
        if result.errors:
            for error in result.errors[:50]:
                self.stderr.write(f"{path}: {error}")
            if len(result.errors) > 50:
                self.stderr.write(f"… and {len(result.errors) - 50} more.")
            raise CommandError(
                f"{len(result.errors)} bad row(s) in {path}; nothing was imported. "
                "Fix them and run the command again."
            )
        summary = ", ".join(f"{label} {n:,}" for label, n in sorted(result.counts.items()))
        self.stdout.write(f"Imported {result.written:,} decisions from {path} ({summary}).")
