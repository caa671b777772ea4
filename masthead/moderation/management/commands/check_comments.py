"""``manage.py check_comments FILE``: decide a file of comments with the site's current
guidelines and model, one JSON line per comment.

``FILE`` is a text file with one comment per line, or a CSV with a ``text`` column
(``--format csv``, or any file whose name ends in ``.csv``); ``-`` reads standard input.
Parsing and output live in :mod:`masthead.moderation.check_file`; this command only reads
arguments and turns an unreadable file into a :class:`CommandError`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from masthead.moderation import services
from masthead.moderation.check_file import InputError, check_comments, read_comments, to_json_line


class Command(BaseCommand):
    """Print decision, reason codes, scores and model version for each comment."""

    #: Tests pass ``stdin=BytesIO(...)`` to ``call_command``.
    stealth_options = ("stdin",)
    _options_stdin: BinaryIO | None = None

    help = (
        "Check comments (one per line, or a CSV with a 'text' column; '-' for stdin) "
        "with the site's current guidelines and model; prints one JSON line per comment."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """FILE, ``--format``, ``--encoding``."""
        parser.add_argument("file", metavar="FILE", help="The comments file, or - for stdin.")
        parser.add_argument(
            "--format",
            choices=("auto", "lines", "csv"),
            default="auto",
            help="lines: one comment per line; csv: header row with a text column; "
            "auto (default): csv when FILE ends in .csv, else lines.",
        )
        parser.add_argument(
            "--encoding", default="utf-8", help="The file's text encoding (default utf-8)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Read and validate the whole input, then check it in batches and print."""
        name = options["file"]
        self._options_stdin = options.get("stdin")
        fmt = options["format"]
        if fmt == "auto":
            fmt = "csv" if name.lower().endswith(".csv") else "lines"
        try:
            if name == "-":
                comments = self._read(self._stdin(), "standard input", fmt, options)
            else:
                path = Path(name)
                if not path.exists():
                    raise CommandError(f"No such file: {name}")
                if path.is_dir():
                    raise CommandError(f"{name} is a folder; give a file of comments.")
                with path.open("rb") as stream:
                    comments = self._read(stream, name, fmt, options)
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror or exc}") from exc
        ctx = services.build_check_context(None, None)
        count = 0
        for result in check_comments(comments, ctx):
            self.stdout.write(to_json_line(result))
            count += 1
        self.stderr.write(f"Checked {count} comment{'s' if count != 1 else ''}.")

    def _stdin(self) -> BinaryIO:
        return self._options_stdin or sys.stdin.buffer

    @staticmethod
    def _read(stream: BinaryIO, name: str, fmt: str, options: dict[str, Any]) -> list[Any]:
        try:
            return read_comments(stream, name, fmt, options["encoding"])
        except InputError as exc:
            raise CommandError(str(exc)) from exc
