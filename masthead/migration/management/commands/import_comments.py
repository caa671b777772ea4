"""``manage.py import_comments --format disqus|wxr|csv FILE [--dry-run] [--map M.csv] [--source NAME]``.

Thin wrapper around :func:`masthead.migration.importer.import_comments`: parses the
options, prints a progress line (stderr, when it is a terminal or ``--progress``)
and the end-of-run report table. A malformed file becomes a ``CommandError`` with
``FILE:LINE:COLUMN: message``.
"""

from __future__ import annotations

import sys
import time
import zoneinfo
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from masthead.migration.importer import (
    DEFAULT_BATCH_SIZE,
    ImportAborted,
    ImportOptions,
    ImportReport,
    default_source_name,
    import_comments,
)
from masthead.migration.parsers import detect_format, parse_column_map
from masthead.migration.urls import MappingFileError

FORMATS = ["disqus", "wxr", "csv"]


class Command(BaseCommand):
    help = "Import comments from a Disqus XML, WordPress WXR or CSV export (issue 6)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="the export file")
        parser.add_argument("--format", choices=FORMATS, help="default: detected from the file")
        parser.add_argument("--dry-run", action="store_true", help="write nothing, same report")
        parser.add_argument("--map", dest="mapping", help="CSV with header old,new")
        parser.add_argument(
            "--source",
            help="namespace of old ids (default FORMAT:FILE-STEM); keep it stable across re-runs",
        )
        parser.add_argument(
            "--old-host",
            action="append",
            default=[],
            help="host name of the old site (repeatable; the first is canonical)",
        )
        parser.add_argument("--recover", action="store_true", help="XML recover mode (warnings)")
        parser.add_argument("--columns", help="CSV column mapping, e.g. id=comment_id,body=text")
        parser.add_argument("--date-format", help="CSV strptime format for created_at")
        parser.add_argument(
            "--timezone", default="UTC", help="zone of naive dates (CSV, WXR local dates)"
        )
        parser.add_argument("--delimiter", default=",", help="CSV field separator")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument("--progress", action="store_true", help="progress line on stderr")
        parser.add_argument(
            "--rematch",
            action="store_true",
            help="without FILE: only move held threads that now match (needs --source)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"]) if opts["file"] else None
        if path is None and not opts["rematch"]:
            raise CommandError("give the export FILE (or --rematch --source NAME)")
        if path is not None and not path.is_file():
            raise CommandError(f"{path}: no such file")
        if path is None and not opts["source"]:
            raise CommandError("--rematch without FILE needs --source")
        try:
            fmt = opts["format"] or (detect_format(path) if path else "csv")
        except ValueError as exc:
            raise CommandError(
                f"{exc}. Give the format with --format {{{','.join(FORMATS)}}}, "
                f"e.g. --format {FORMATS[0]}"
            ) from exc
        try:
            columns = parse_column_map(opts["columns"]) if opts["columns"] else None
            tz = zoneinfo.ZoneInfo(opts["timezone"])
        except (ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        if opts["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        show_progress = opts["progress"] or sys.stderr.isatty()
        started = time.monotonic()

        def progress(n: int) -> None:
            rate = n / max(time.monotonic() - started, 1e-6)
            sys.stderr.write(f"\r{n:,} comments read ({rate:,.0f}/s)")
            sys.stderr.flush()

        options = ImportOptions(
            path=path,
            fmt=fmt,
            source=opts["source"] or default_source_name(fmt, path),
            dry_run=opts["dry_run"],
            mapping_path=Path(opts["mapping"]) if opts["mapping"] else None,
            old_hosts=opts["old_host"],
            batch_size=opts["batch_size"],
            recover=opts["recover"],
            columns=columns,
            date_format=opts["date_format"],
            timezone=tz,
            delimiter=opts["delimiter"].replace("\\t", "\t"),
            progress=progress if show_progress else None,
            rematch_only=path is None,
        )
        try:
            report = import_comments(options)
        except MappingFileError as exc:
            raise CommandError(f"mapping file: {exc}") from exc
        except ImportAborted as exc:
            if show_progress:
                sys.stderr.write("\n")
            self._print(exc.report)
            err = exc.parse_error
            if err.recoverable and not options.recover:
                then = (
                    "run the same command with --recover: it reads the whole file and "
                    "reports the fault as a warning"
                )
            else:
                then = "fix the file and run the same command again to continue"
            written = (
                f"nothing was written (dry run); {then}"
                if options.dry_run
                else f"{exc.report.imported:,} comments in complete batches were written; {then}"
            )
            raise CommandError(
                f"{path}:{err.line}:{err.column}: {err.message}. {written}."
            ) from exc
        if show_progress:
            sys.stderr.write("\n")
        self._print(report)

    def _print(self, report: ImportReport) -> None:
        rows = report.rows()
        width = max(len(k) for k, _ in rows)
        self.stdout.write(f"{'Import report':<{width}} | value")
        self.stdout.write(f"{'-' * width}-+-{'-' * 24}")
        for key, value in rows:
            self.stdout.write(f"{key:<{width}} | {value}")
        for title, items in (
            (
                "Unmatched threads (held; add them to a --map file and run again)",
                report.unmatched_threads,
            ),
            ("Orphaned replies (parent missing; kept at top level)", report.orphans),
            ("Warnings", report.warnings),
        ):
            if items:
                self.stdout.write(f"\n{title}:")
                for item in items[:20]:
                    self.stdout.write(f"  {item}")
                if len(items) > 20:
                    self.stdout.write(f"  ... {len(items) - 20} more in the run log")
