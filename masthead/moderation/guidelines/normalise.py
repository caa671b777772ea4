"""Text normalisation shared by every rule, with a map back to original offsets.

Steps (per character of the original text):
    1. Drop invisible format characters used to hide words: zero-width
       characters and marks U+200B-U+200F, bidi embeddings/overrides
       U+202A-U+202E, isolates U+2066-U+2069, word joiner and invisible
       operators U+2060-U+2064, BOM U+FEFF, soft hyphen U+00AD, Mongolian
       vowel separator U+180E, combining grapheme joiner U+034F, and variation
       selectors U+FE00-U+FE0F (source: Unicode ``Default_Ignorable_Code_Point``
       property, UAX #44, trimmed to the ones seen in filter evasion).
    2. Unicode NFKC (so full-width and mathematical letters become ASCII).
    3. Control characters (category Cc other than TAB, LF, CR) are dropped from
       the normalised text and reported in ``control_chars``.

``folded`` additionally removes accents (NFD, drop combining marks) and
case-folds, for word matching. Every character of ``text`` and ``folded`` has
the index of the original character it came from, so spans point at the
writer's original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .base import Span

INVISIBLE_CHARS: frozenset[str] = frozenset(
    [chr(c) for c in range(0x200B, 0x2010)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2060, 0x2065)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + [chr(c) for c in range(0xFE00, 0xFE10)]
    + ["\ufeff", "\u00ad", "\u180e", "\u034f"]
)
ALLOWED_CONTROLS = frozenset("\t\n\r")
_ASCII_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: A word: letters/digits with inner apostrophes ("don't") -- over folded text.
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


class Token(NamedTuple):
    """A word of the folded text with its original ``[start, end)`` offsets.

    A NamedTuple rather than a dataclass: a comment has hundreds of tokens
    and tuple construction is several times cheaper.
    """

    word: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """Result of :func:`normalise`.

    Attributes:
        original: the text as given.
        text: NFKC text without invisible/control characters (case kept).
        text_map: ``text_map[i]`` = original index of ``text[i]``.
        folded: ``text`` without accents, case-folded.
        folded_map: ``folded_map[i]`` = original index of ``folded[i]``.
        control_chars: original indices of disallowed control characters.
        invisible_chars: original indices of dropped invisible characters.
    """

    original: str
    text: str
    text_map: tuple[int, ...]
    folded: str
    folded_map: tuple[int, ...]
    control_chars: tuple[int, ...]
    invisible_chars: tuple[int, ...]
    words: tuple[Token, ...] = ()

    def span_text(self, start: int, end: int) -> Span:
        """Span in the original for ``text[start:end]`` (end exclusive)."""
        return self._span(self.text_map, start, end)

    def span_folded(self, start: int, end: int) -> Span:
        """Span in the original for ``folded[start:end]`` (end exclusive)."""
        return self._span(self.folded_map, start, end)

    def _span(self, m: tuple[int, ...], start: int, end: int) -> Span:
        if not m or start >= end:
            return Span(0, 0, "")
        o_start = m[start]
        o_end = m[end - 1] + 1
        # A decomposed original char (e.g. a ligature) may map to several chars.
        return Span(o_start, o_end, self.original[o_start:o_end])

    def tokens(self) -> tuple[Token, ...]:
        """Words of ``folded`` with original offsets (computed once)."""
        return self.words


def _tokens(folded: str, fmap: list[int] | tuple[int, ...] | None) -> tuple[Token, ...]:
    """Tokens of ``folded``; ``fmap`` None means the identity map."""
    if fmap is None:
        return tuple(Token(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(folded))
    return tuple(
        Token(m.group(), fmap[m.start()], fmap[m.end() - 1] + 1) for m in WORD_RE.finditer(folded)
    )


def fold(s: str) -> str:
    """Case-fold and strip accents from ``s`` (no offset map). Used for lists."""
    return normalise(s).folded


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    d = unicodedata.normalize("NFD", ch)
    return "".join(c for c in d if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1024)
def normalise(original: str) -> NormalisedText:
    """Normalise ``original`` (see module doc). Never raises for ``str`` input.

    Cached per process (LRU, 1024 entries: a batch of up to 1024
    comments is normalised once however many rules read it) because every rule calls it.
    """
    ascii_fast = original.isascii()
    if ascii_fast and _ASCII_CONTROL_RE.search(original) is None:
        # Fast path (most comments): nothing to drop, identity offset map.
        ident = tuple(range(len(original)))
        folded = original.lower()
        return NormalisedText(
            original=original,
            text=original,
            text_map=ident,
            folded=folded,
            folded_map=ident,
            control_chars=(),
            invisible_chars=(),
            words=_tokens(folded, None),
        )
    text_chars: list[str] = []
    text_map: list[int] = []
    controls: list[int] = []
    invisible: list[int] = []
    for i, ch in enumerate(original):
        if ascii_fast:
            if ch < " " and ch not in ALLOWED_CONTROLS or ch == "\x7f":
                controls.append(i)
                continue
            text_chars.append(ch)
            text_map.append(i)
            continue
        if ch in INVISIBLE_CHARS:
            invisible.append(i)
            continue
        cat = unicodedata.category(ch)
        if cat == "Cc" and ch not in ALLOWED_CONTROLS:
            controls.append(i)
            continue
        if cat == "Cs":
            # Lone surrogates cannot be encoded: keep a neutral placeholder.
            text_chars.append("\ufffd")
            text_map.append(i)
            continue
        nf = unicodedata.normalize("NFKC", ch)
        for c in nf:
            text_chars.append(c)
            text_map.append(i)
    text = "".join(text_chars)
    if ascii_fast:
        folded = text.lower()
        folded_map = text_map
    else:
        f_chars: list[str] = []
        f_map: list[int] = []
        for c, i in zip(text_chars, text_map, strict=True):
            for fc in _fold_char(c):
                f_chars.append(fc)
                f_map.append(i)
        folded = "".join(f_chars)
        folded_map = f_map
    return NormalisedText(
        original=original,
        text=text,
        text_map=tuple(text_map),
        folded=folded,
        folded_map=tuple(folded_map),
        control_chars=tuple(controls),
        invisible_chars=tuple(invisible),
        words=_tokens(folded, folded_map),
    )


def match_phrases(n: NormalisedText, phrases: list[str] | tuple[str, ...]) -> list[Span]:
    """Find ``phrases`` in ``n.folded`` on word boundaries.

    Phrases are folded the same way, so matching is case-, accent- and
    zero-width-insensitive; "ass" does not match inside "assess" and "cunt"
    does not match inside "Scunthorpe". Returns spans in the original text.
    """
    pat = phrase_pattern(tuple(phrases))
    if pat is None:
        return []
    return [n.span_folded(m.start(), m.end()) for m in pat.finditer(n.folded)]


@lru_cache(maxsize=64)
def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """Compiled word-boundary regex for folded ``phrases`` (None if empty).

    Whitespace inside a phrase matches any run of whitespace/punctuation.
    """
    parts = []
    for p in phrases:
        f = fold(p).strip()
        if not f:
            continue
        words = [re.escape(w) for w in re.split(r"\s+", f)]
        parts.append(r"[\W_]+".join(words))
    if not parts:
        return None
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(parts) + r")(?![^\W_])")
