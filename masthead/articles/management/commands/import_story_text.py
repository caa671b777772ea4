"""``manage.py import_story_text FILE --section SLUG``: import one plain-text story."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from masthead.articles.demo import placeholder_image
from masthead.articles.models import AccessLevel
from masthead.articles.services import SiteNotReady, ensure_section, upsert_story
from masthead.articles.text_import import StoryTextError, parse_story_file


class Command(BaseCommand):
    help = "Import a story laid out as a captured news page (headline, standfirst, dateline, caption, body)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--section", required=True, help="Section slug, e.g. world (created if missing)"
        )
        parser.add_argument(
            "--access",
            choices=AccessLevel.values,
            help="Access level (new stories default to metered; a re-import keeps the current one unless given)",
        )
        parser.add_argument("--external-id", help="Source key (default: file:<file name>)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            parsed = parse_story_file(path)
        except StoryTextError as exc:
            raise CommandError(f"{path.name}: {exc}. Nothing was created.") from exc
        try:
            section = ensure_section(options["section"])
        except SiteNotReady as exc:
            raise CommandError(str(exc)) from exc
        result = upsert_story(
            section,
            parsed,
            options["external_id"] or f"file:{path.name}",
            access_level=options["access"],
            # The capture names a photo (its caption) but carries no image file: use
            # the section's placeholder until an editor uploads the real one.
            lead_image=placeholder_image(section.slug) if parsed.caption else None,
        )
        verb = "Created" if result.created else "Updated"
        self.stdout.write(
            f"{verb} story {result.story.pk}: {result.story.title} -> {result.story.url}"
        )
