"""``manage.py import_members FILE [--source NAME] [--dry-run]``: members from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from masthead.members.services import import_csv


class Command(BaseCommand):
    help = "Import members from a CSV in Ghost's member layout (plus newsletters and offers)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="", help="Where the list comes from (consent log).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        outcome = import_csv(data, options["source"] or path.stem, dry_run=options["dry_run"])
        checked = outcome.checked
        if checked.ignored_columns:
            self.stdout.write(f"Ignored columns: {', '.join(checked.ignored_columns)}")
        if checked.problem:
            raise CommandError(f"{checked.problem} Nothing was imported.")
        if outcome.done is None:
            for line, message in checked.errors:
                self.stderr.write(f"line {line}: {message}")
            more = checked.error_count - len(checked.errors)
            if more:
                self.stderr.write(f"... and {more} more")
            raise CommandError(f"{checked.error_count} bad row(s); nothing was imported.")
        counts = ", ".join(f"{k} {v}" for k, v in outcome.done.as_dict().items())
        self.stdout.write(("Dry run: " if options["dry_run"] else "Imported: ") + counts)
