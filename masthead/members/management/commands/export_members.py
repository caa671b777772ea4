"""``manage.py export_members [FILE]``: every member as CSV (to standard output without FILE)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from masthead.members.services import export_csv


class Command(BaseCommand):
    help = "Export members as CSV in Ghost's member layout (plus newsletters and offers)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["file"]
        if path is None:
            for line in export_csv():
                sys.stdout.write(line)
            return
        with path.open("w", encoding="utf-8", newline="") as out:
            out.writelines(export_csv())
        self.stdout.write(f"Wrote {path}")
