"""Demo content: sections, placeholder lead images, our own stories, and (where
``../shared`` is present) the seed story and the public news corpus.

Everything here is idempotent: each story carries an ``external_id`` (``demo:…``,
``file:…``, ``bbc:…``, ``toi:…``) and a second run updates instead of duplicating.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tarfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images.models import Image

from masthead.articles.models import AccessLevel
from masthead.articles.text_import import ParsedStory, StoryTextError, parse_story_file

DEMO_STORIES_DIR = Path(__file__).parent / "demo_stories"

#: Sections of the demo paper: slug -> (title, description).
SECTIONS: dict[str, tuple[str, str]] = {
    "world": ("World", "International news and diplomacy."),
    "india": ("India", "News from across the country."),
    "politics": ("Politics", "Parliament, parties and policy."),
    "business": ("Business", "Markets, companies and the economy."),
    "technology": ("Technology", "Science, gadgets and the internet."),
    "sport": ("Sport", "Cricket, football and everything else."),
    "culture": ("Culture", "Film, books, music and the arts."),
    "opinion": ("Opinion", "Columns and analysis."),
}
_PALETTE = {
    "world": (11, 83, 148), "india": (204, 102, 0), "politics": (120, 30, 60), "business": (20, 110, 70),
    "technology": (60, 60, 140), "sport": (150, 40, 30), "culture": (110, 70, 130), "opinion": (70, 70, 70),
}  # fmt: skip
BBC_SECTION = {"business": "business", "entertainment": "culture", "politics": "politics", "sport": "sport", "tech": "technology"}  # fmt: skip
TOI_SECTION_PREFIX = {"sports": "sport", "business": "business", "entertainment": "culture", "tech": "technology"}  # fmt: skip


def placeholder_image(section: str) -> Image:
    """Return (creating once) a plain 1200×675 placeholder lead image for ``section``."""
    title = f"Placeholder: {section}"
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    color = _PALETTE.get(section, (90, 90, 90))
    img = PILImage.new("RGB", (1200, 675), color)
    draw = ImageDraw.Draw(img)
    for i in range(0, 1200, 60):
        draw.line([(i, 675), (i + 400, 0)], fill=tuple(min(255, c + 25) for c in color), width=18)
    draw.text((40, 600), SECTIONS.get(section, (section.title(), ""))[0], fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    image = Image(title=title)
    image.file = ImageFile(buf, name=f"placeholder-{section}.jpg")
    image.save()
    return image


def demo_story_files() -> Iterator[tuple[str, Path]]:
    """Yield ``(section_slug, path)`` for the stories shipped with Masthead."""
    for path in sorted(DEMO_STORIES_DIR.glob("*/*.txt")):
        yield path.parent.name, path


def _spread_date(key: str, days: int = 400) -> datetime:
    """Return a stable date in the last ``days`` days derived from ``key``."""
    digest = int(hashlib.sha256(key.encode()).hexdigest()[:12], 16)
    now = timezone.now().replace(second=0, microsecond=0)
    return now - timedelta(minutes=digest % (days * 24 * 60) + 60)


def access_for(index: int) -> str:
    """Spread access levels over a corpus: ~10% free, ~7% subscribers only, rest metered."""
    if index % 10 == 0:
        return AccessLevel.FREE
    if index % 15 == 7:
        return AccessLevel.SUBSCRIBERS
    return AccessLevel.METERED


def bbc_stories(archive: Path) -> Iterator[tuple[str, str, ParsedStory]]:
    """Yield ``(external_id, section, story)`` from the BBC full-text archive (tar.gz).

    Line 1 of each file is the headline; the first paragraph becomes the standfirst.
    A file that is not UTF-8 is read as cp1252 (one such file is in the archive).
    """
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".txt"):
                continue
            parts = Path(member.name).parts
            if len(parts) < 2 or parts[-2] not in BBC_SECTION:
                continue
            fh = tar.extractfile(member)
            if fh is None:
                continue
            raw = fh.read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
            lines = [line.strip() for line in text.splitlines()]
            headline = lines[0] if lines else ""
            paras = [p for p in lines[1:] if p]
            if not headline or len(paras) < 2:
                continue
            key = f"bbc:{parts[-2]}/{parts[-1]}"
            published = _spread_date(key)
            yield (
                key,
                BBC_SECTION[parts[-2]],
                ParsedStory(
                    headline=headline[:250],
                    standfirst=paras[0],
                    published_at=published,
                    updated_at=None,
                    dateline="London",
                    caption="",
                    paragraphs=paras[1:],
                ),
            )


def toi_briefs(path: Path, limit: int) -> Iterator[tuple[str, str, ParsedStory]]:
    """Yield headline-only briefs from the Times of India headlines CSV (dated)."""
    with path.open(newline="", encoding="utf-8", errors="replace") as fh:
        for n, row in enumerate(csv.DictReader(fh)):
            if n >= limit:
                break
            try:
                day = datetime.strptime(row["publish_date"], "%Y%m%d")  # noqa: DTZ007
            except (KeyError, ValueError):
                continue
            headline = (row.get("headline_text") or "").strip()
            if not headline:
                continue
            category = (row.get("headline_category") or "").split(".")[0]
            section = TOI_SECTION_PREFIX.get(category, "india")
            published = timezone.make_aware(day.replace(hour=6 + n % 14, minute=(n * 7) % 60))
            yield (
                f"toi:{n}",
                section,
                ParsedStory(
                    headline=headline[:250],
                    standfirst=headline[:250],
                    published_at=published,
                    updated_at=None,
                    dateline="New Delhi",
                    caption="",
                    paragraphs=[
                        "A headline from the archive; the full report was not carried over."
                    ],
                ),
            )


def shared_sources(shared: Path) -> dict[str, Path]:
    """Return the files of ``shared/`` that the demo can use, by name, where present."""
    found = {}
    seed = sorted((shared / "seed").glob("*.txt")) if (shared / "seed").is_dir() else []
    if seed:
        found["seed"] = seed[0]
    bbc = shared / "data/news/bbc-fulltext-2225_greene2006.tar.gz"
    if bbc.is_file():
        found["bbc"] = bbc
    toi = shared / "data/news/toi-india-news-headlines_2000rows.csv"
    if toi.is_file():
        found["toi"] = toi
    return found


def parse_demo_file(path: Path) -> ParsedStory:
    """Parse one shipped demo story; re-raises :class:`StoryTextError` with the path."""
    try:
        return parse_story_file(path)
    except StoryTextError as exc:
        raise StoryTextError(f"{path}: {exc}") from exc


ProgressFn = Callable[[int, int | None], None]
