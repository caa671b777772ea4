"""Read a story laid out as plain text, the way a captured news page reads.

Layout (the seed capture in ``shared/seed`` is one such file)::

    Headline
    Standfirst
    October 07, 2021 09:31 pm | Updated 09:31 pm IST - Moscow
    Caption            (alt text of the lead photo)
    Caption            (its visible caption: a repeated line marks a photo)
    Body paragraph …
    …page chrome …     (meter counters, sign-in promotions, comment rules)

Blocks are separated by blank lines (single newlines inside a block are joined).
The page chrome after the body is dropped by shape rather than by exact words: the
body ends at the first block that looks like interface text — a counter such as
``0 / 0``, a bulleted list, a short line without sentence punctuation ("Sign in",
"Comments"), or a sentence addressed to the reader's account (sign in, log in,
register, subscribe, newsletter, community guidelines, commenting platform).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from masthead.articles.dates import DATELINE_RE, DatelineError, parse_dateline


class StoryTextError(ValueError):
    """The file cannot be read as a story; the message names what is missing."""


@dataclass(frozen=True)
class ParsedStory:
    """A story read from text: every field the importer writes."""

    headline: str
    standfirst: str
    published_at: datetime
    updated_at: datetime | None
    dateline: str
    caption: str
    paragraphs: list[str] = field(default_factory=list)


_COUNTER_RE = re.compile(r"^\s*\d+\s*/\s*\d+\s*$")
_BULLET_RE = re.compile(r"^\s*([\u2022\u25cf\u25aa\u2023*\-\u2013]|\d+[.)])\s+")
_ACCOUNT_RE = re.compile(
    r"\b(sign[\s-]?(?:in|up)|log[\s-]?in|logged in|log[\s-]?out|register(?:ed)?\s+(?:user|account)|"
    r"create an account|subscribe|subscription|newsletter|community guidelines|"
    r"commenting platform|member[- ]only|unlock)\b",
    re.IGNORECASE,
)
_SENTENCE_END = (".", "!", "?", "\u201d", '"', "'", "\u2019", ")")


def _blocks(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    blocks = []
    for raw in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in raw.split("\n") if line.strip()]
        if lines:
            # A bulleted list keeps one block per line so each bullet is seen as chrome.
            if any(_BULLET_RE.match(line) for line in lines[1:]):
                blocks.extend(lines)
            else:
                blocks.append(" ".join(lines))
    return blocks


def is_chrome(block: str) -> bool:
    """Return True when ``block`` looks like page interface text rather than story prose."""
    if _COUNTER_RE.match(block) or _BULLET_RE.match(block):
        return True
    words = block.split()
    if len(words) < 6 and not block.rstrip().endswith(_SENTENCE_END):
        return True
    return bool(_ACCOUNT_RE.search(block))


def parse_story_text(text: str) -> ParsedStory:
    """Parse ``text`` laid out as described in the module docstring.

    :raises StoryTextError: when the headline or a parsable dateline is missing, or
        when no body paragraph follows it.
    """
    blocks = _blocks(text)
    if not blocks:
        raise StoryTextError("missing headline: the file is empty")
    date_index = next((i for i, b in enumerate(blocks[:6]) if DATELINE_RE.match(b)), None)
    if date_index is None:
        raise StoryTextError(
            "missing date: no line like 'October 07, 2021 09:31 pm | Updated 09:31 pm IST - Moscow' "
            "in the first blocks of the file"
        )
    if date_index == 0:
        raise StoryTextError("missing headline: the file starts with the date line")
    headline = blocks[0]
    if len(headline) > 255:
        raise StoryTextError("missing headline: the first line is longer than 255 characters")
    standfirst = " ".join(blocks[1:date_index])
    try:
        published, updated, place = parse_dateline(blocks[date_index])
    except DatelineError as exc:
        raise StoryTextError(f"missing date: {exc}") from exc
    rest = blocks[date_index + 1 :]
    caption = ""
    if len(rest) >= 2 and rest[0] == rest[1]:
        caption, rest = rest[0], rest[2:]
    paragraphs = []
    for block in rest:
        if is_chrome(block):
            break
        paragraphs.append(block)
    if not paragraphs:
        raise StoryTextError("missing body: no story paragraph follows the date line")
    return ParsedStory(
        headline=headline,
        standfirst=standfirst,
        published_at=published,
        updated_at=updated,
        dateline=place,
        caption=caption,
        paragraphs=paragraphs,
    )


def parse_story_file(path: Path) -> ParsedStory:
    """Read ``path`` as UTF-8 (a BOM is allowed) and parse it.

    :raises StoryTextError: as :func:`parse_story_text`, or when the file is not UTF-8.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StoryTextError(f"{path.name} is not UTF-8 text: {exc}") from exc
    return parse_story_text(text)
