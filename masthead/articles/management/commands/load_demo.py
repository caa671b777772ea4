"""``manage.py load_demo``: create (or bring up to date) the demo newsroom.

Idempotent: a second run adds only what is missing. Prints progress for the corpus
and the editor's password once, when the account is created.
"""

from __future__ import annotations

import secrets
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from masthead.articles import demo
from masthead.articles.models import AccessLevel, CommentsMode, StoryPage
from masthead.articles.services import bulk_story_load, ensure_home, ensure_section, upsert_story


class Command(BaseCommand):
    help = "Create the demo site: sections, shipped stories, the seed story and the news corpus."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--shared", type=Path, default=settings.MASTHEAD_SHARED_DATA, help="Path of shared/"
        )
        parser.add_argument("--no-corpus", action="store_true", help="Skip the large news corpus.")
        parser.add_argument(
            "--password-in-banner",
            action="store_true",
            help="Keep a new editor password for serve's banner instead of printing it (make run).",
        )
        parser.add_argument(
            "--corpus-limit", type=int, default=5000, help="Most corpus stories to load."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        home = ensure_home(settings.MASTHEAD_SITE_NAME)
        sections = {
            slug: ensure_section(slug, title, desc) for slug, (title, desc) in demo.SECTIONS.items()
        }
        images = {slug: demo.placeholder_image(slug) for slug in sections}
        existing = set(
            StoryPage.objects.exclude(external_id="").values_list("external_id", flat=True)
        )

        shipped = 0
        for index, (section_slug, path) in enumerate(demo.demo_story_files()):
            parsed = demo.parse_demo_file(path)
            key = f"demo:{section_slug}/{path.name}"
            section = sections.get(section_slug) or ensure_section(section_slug)
            if key not in existing:
                upsert_story(
                    section,
                    parsed,
                    key,
                    lead_image=images.get(section_slug) if parsed.caption else None,
                    access_level=AccessLevel.FREE if index % 5 == 0 else AccessLevel.METERED,
                )
                shipped += 1
        self.stdout.write(
            f"Demo stories: {shipped} added ({len(existing)} stories were already there)."
        )

        sources = demo.shared_sources(options["shared"].resolve())
        if not sources:
            self.stdout.write(
                f"No shared data at {options['shared']}: only the shipped demo stories are loaded."
            )
        if "seed" in sources:
            seed = sources["seed"]
            parsed = demo.parse_demo_file(seed)
            # The seed page shows an open thread: keep it open past the site's window
            # so a newcomer can comment on it as the page shows.
            result = upsert_story(
                sections["world"],
                parsed,
                f"file:{seed.name}",
                lead_image=images["world"],
                comments_mode=CommentsMode.OPEN,
            )
            self.stdout.write(
                f"Seed story: {'created' if result.created else 'up to date'} at {result.story.url}"
            )

        if not options["no_corpus"]:
            corpus = []
            if "bbc" in sources:
                corpus.extend(demo.bbc_stories(sources["bbc"]))
            if "toi" in sources:
                corpus.extend(demo.toi_briefs(sources["toi"], limit=2000))
            corpus = corpus[: options["corpus_limit"]]
            todo = [item for item in corpus if item[0] not in existing]
            if corpus:
                self.stdout.write(f"News corpus: {len(corpus)} stories, {len(todo)} to load.")
            t0 = time.monotonic()
            batch = 200  # one transaction per batch: far fewer commits (fsyncs) on SQLite
            with bulk_story_load() as written:
                for start in range(0, len(todo), batch):
                    with transaction.atomic():
                        for n, (key, section_slug, parsed) in enumerate(
                            todo[start : start + batch], start=start + 1
                        ):
                            result = upsert_story(
                                sections[section_slug],
                                parsed,
                                key,
                                lead_image=images[section_slug],
                                access_level=demo.access_for(n),
                                with_revision=False,
                            )
                            written.append(result.story.pk)
                    done = min(start + batch, len(todo))
                    rate = done / max(time.monotonic() - t0, 1e-6)
                    sys.stdout.write(f"\r  {done}/{len(todo)} stories ({rate:.0f}/s)")
                    sys.stdout.flush()
            if todo:
                sys.stdout.write("\n")

        self._newsletters()
        cache.clear()
        self._editor(in_banner=options["password_in_banner"])
        self.stdout.write(
            f"Demo site ready in {time.monotonic() - started:.1f}s: {StoryPage.objects.count()} stories, home at {home.url}"
        )

    def _newsletters(self) -> None:
        """Create the demo newsletters (and the offers list) once."""
        from masthead.newsletters.models import Newsletter

        demo_lists = [
            (
                "morning-briefing",
                "Morning Briefing",
                "The day's essential stories before breakfast.",
                "daily",
                "editorial",
            ),
            (
                "weekend-reads",
                "Weekend Reads",
                "Long reads and analysis, every Saturday.",
                "weekly",
                "editorial",
            ),
            (
                "offers",
                "Offers and early access",
                "Early access to discounts and offers on our products.",
                "occasional",
                "offers",
            ),
        ]
        for slug, name, description, cadence, kind in demo_lists:
            Newsletter.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "description": description,
                    "cadence": cadence,
                    "kind": kind,
                },
            )

    def _editor(self, *, in_banner: bool = False) -> None:
        User = get_user_model()
        if User.objects.filter(username="editor").exists():
            self.stdout.write(
                "Editor account 'editor' exists (reset its password with: manage.py changepassword editor)."
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("editor", "editor@masthead.example", password)
        if in_banner:
            from masthead.articles.editor_password import keep_for_banner

            keep_for_banner(password)
            self.stdout.write(
                self.style.SUCCESS(
                    "Editor account created: user 'editor'; its password is shown when "
                    "the site is ready."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Editor account created: user 'editor', password '{password}' (shown once)."
            )
        )
