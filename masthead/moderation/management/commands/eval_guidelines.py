"""``manage.py eval_guidelines``: run the guideline engine's evaluation and print its table.

A thin wrapper around :mod:`masthead.moderation.evaluate` (the engine's own CLI is
``python -m masthead.moderation.evaluate``). Data sets are read from the shared data
folder (``--data-dir`` or ``$MASTHEAD_SHARED_DATA`` as the engine reads it); missing
files are reported as SKIP lines, not errors. After the table comes the site model's
learning curve (:mod:`masthead.moderation.learning.curve`; ``--no-learning-curve`` skips it).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    """Print precision/recall/F1 per rule and data set, with targets met or missed."""

    help = "Evaluate the comment guideline engine on the shared data sets and print a table."

    def add_arguments(self, parser: CommandParser) -> None:
        """``--data-dir PATH``: the folder holding the data sets (sets the engine's env var)."""
        parser.add_argument(
            "--data-dir", help="The shared/ folder (its data/ holds the evaluation sets)."
        )
        parser.add_argument(
            "--no-learning-curve",
            action="store_true",
            help="Skip the site-model learning curve (replayed moderator decisions).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the evaluation; output goes to this command's stdout."""
        if options.get("data_dir"):
            os.environ["MASTHEAD_SHARED_DATA"] = options["data_dir"]
        from masthead.moderation import evaluate

        self.stdout.write(f"Shared data: {evaluate.data_dir()}")
        rows = evaluate.evaluate(log=self.stdout)
        evaluate.print_table(rows, out=self.stdout)
        if not options.get("no_learning_curve"):
            from masthead.moderation.learning.curve import learning_curve

            self.stdout.write("\nLearning curve: the site model learning from replayed decisions")
            learning_curve(self.stdout)
