"""``manage.py train_guidelines``: train the site's guidelines model on its moderators'
decisions, test it on the newest ones and promote it only when it beats the model in use
(both figures are printed). See ``masthead.moderation.learning.training``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    """Train (and maybe promote) a new version of the site's guidelines model."""

    help = "Train the site's guidelines model on the moderators' decisions."

    def add_arguments(self, parser: CommandParser) -> None:
        """``--no-promote``: keep the new version without promoting it."""
        parser.add_argument(
            "--no-promote",
            action="store_true",
            help="Keep the new version but leave the model in use unchanged.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run one training; a concurrent one is refused with a message."""
        from masthead.moderation.learning.training import TrainingBusy, train

        try:
            train(self.stdout, promote_if_better=not options["no_promote"], trigger="command")
        except TrainingBusy as exc:
            raise CommandError(f"{exc} Try again when it has finished.") from exc
