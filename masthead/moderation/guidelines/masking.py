"""Mask @handles, #hashtags, URLs and proper names before a comment is scored.

Names of people and places, handles, hashtags and links say nothing about the
language a comment is written in, nor about whether it is abusive: "Dick
Cheney", "Mr. Butt", "Gandu Rao" and "@kumar_ho" are not insults, and
"Wankhede" or "#JharkhandVotes" are not Hindi sentences. :func:`mask` finds
them so the language and abuse rules (and the site's learned model) can leave
them out.

What counts as a proper name (a run of such words is one masked stretch):
    * a word matching one of ``names`` (the story's byline, other commenters'
      display names, names drawn from the headline and standfirst by
      :func:`story_names`), in any case;
    * a word after an honorific ("Mr", "Mrs", "Dr", "Shri", "Smt", ...);
    * a capitalised word that does not start a sentence ("the mayor of
      Scunthorpe said"), unless the text is mostly capitals or Title Case (then
      capitals are no evidence);
    * a capitalised word that starts a sentence, when it is in the name lists
      (``data/person_names.txt``: US Census and Faker ``en_IN`` names;
      ``data/place_names.txt``: our own list) and is not a common English word,
      or is followed by another name ("Dick Cheney was...");
    * a lower-case word of our own list ``data/place_names.txt`` (names that
      look rude or Hindi but are not: "scunthorpe", "wankhede", "shitole").

A capitalised word that is also an insult ("Dick", "Butt", "Idiot") is masked
only with name evidence beside it: an honorific, another name next to it, or
one of ``names``. So "you Idiot" is not masked, "Dick Cheney" is.

Public API (stable; other modules and the site's learned model use it)::

    mask(text: str, names: Iterable[str] = ()) -> MaskedText
    MaskedText.text          # the text with each stretch replaced by a placeholder
    MaskedText.spans         # tuple[MaskedSpan(kind, start, end, text)], original offsets
    MaskedText.without()     # the text with masked stretches removed
    MaskedText.covers(start, end) -> bool
    MaskedText.hashtag_words # words split out of CamelCase hashtags, lower case
    story_names(*texts: str) -> tuple[str, ...]
    PLACEHOLDERS             # kind -> placeholder token ("xxname", "xxhandle", ...)

Pure Python, no Django imports; results are cached per (text, names).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from .models import english_vocabulary, weighted_list, word_list

#: Placeholder token per kind: one word under every tokenizer in use (no
#: underscores, not an English word, not in any model's vocabulary).
PLACEHOLDERS: dict[str, str] = {
    "handle": "xxhandle",
    "hashtag": "xxhashtag",
    "url": "xxurl",
    "email": "xxemail",
    "name": "xxname",
}
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_]{1,30}\b")
HASHTAG_RE = re.compile(r"(?<![\w#&])#[^\W_][\w]*")
URL_RE = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>\"']+"
    r"|\b[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.(?:com|org|net|in|co\.in|co\.uk|io|info|ly|gl|me|tk)\b(?:/[^\s<>\"']*)?"
)
#: A word of letters (with inner apostrophes or hyphens: "O'Brien", "Al-Amin").
WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_CAMEL_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
#: Before a word, these characters (after optional spaces/quotes) end a sentence.
_SENTENCE_END = ".!?:;\n…"
HONORIFICS = frozenset(
    "mr mrs ms miss dr prof sir dame lord lady shri sri smt kumari sardar sahib "
    "justice judge minister president senator mp mla councillor cllr captain capt "
    "colonel col general gen major maj inspector sheikh saint st".split()
)
#: Capitalised words that are never names by themselves.
NOT_NAMES = frozenset("i i'm i've i'll i'd ok okay tv".split())
#: Above this share of capitalised words (of 4+), capitals are no evidence.
TITLE_CASE_SHARE = 0.6


@dataclass(frozen=True, slots=True)
class MaskedSpan:
    """One masked stretch of the original text: ``text == original[start:end]``."""

    kind: str  # "handle" | "hashtag" | "url" | "email" | "name"
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class MaskedText:
    """Result of :func:`mask`. ``spans`` are sorted and do not overlap."""

    original: str
    text: str
    spans: tuple[MaskedSpan, ...]
    hashtag_words: tuple[str, ...] = ()
    starts: tuple[int, ...] = ()

    def covers(self, start: int, end: int) -> bool:
        """True when ``original[start:end]`` lies inside one masked stretch."""
        if not self.spans:
            return False
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and self.spans[i].end >= end

    def overlaps(self, start: int, end: int, kinds: frozenset[str] | None = None) -> bool:
        """True when ``original[start:end]`` shares a character with a masked
        stretch (of one of ``kinds``, when given)."""
        if not self.spans:
            return False
        i = bisect.bisect_left(self.starts, end) - 1  # last span starting before end
        while i >= 0 and self.spans[i].end > start:
            if kinds is None or self.spans[i].kind in kinds:
                return True
            i -= 1
        return False

    def without(self) -> str:
        """The original text with masked stretches removed (spaces collapsed)."""
        if not self.spans:
            return self.original
        out, last = [], 0
        for s in self.spans:
            out.append(self.original[last : s.start])
            last = s.end
        out.append(self.original[last:])
        return re.sub(r"[ \t]{2,}", " ", "".join(out)).strip()

    def kinds(self) -> dict[str, int]:
        """Number of masked stretches per kind."""
        out: dict[str, int] = {}
        for s in self.spans:
            out[s.kind] = out.get(s.kind, 0) + 1
        return out


def split_hashtag(tag: str) -> list[str]:
    """Words of a hashtag, lower case: ``"#MakeInIndia"`` -> ``["make", "in", "india"]``."""
    return [w.lower() for w in _CAMEL_RE.findall(tag.lstrip("#"))]


def _name_lists() -> tuple[frozenset[str], frozenset[str]]:
    return word_list("person_names"), word_list("place_names")


@cache
def _insult_words() -> frozenset[str]:
    return frozenset(p for p in weighted_list("insults") if " " not in p)


def _is_capitalised(w: str) -> bool:
    """Title-case word ("Cheney", "McDonald"); ALL-CAPS words are shouting or
    acronyms, not evidence of a name."""
    return w[:1].isupper() and (not w.isupper() or (len(w) == 1 and w != "I"))


def _sentence_start(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in " \t\"'“‘(*[-–—":
        j -= 1
    if j < 0:
        return True
    if text[j] in _SENTENCE_END:
        k = j
        while k > 0 and text[k - 1].isalpha():
            k -= 1
        before = text[k:j]
        # "Mr. Butt", "Philip K. Dick": a period after an honorific or an
        # initial does not end the sentence.
        return before.lower() not in HONORIFICS and not (len(before) == 1 and before.isupper())
    return False


def _common_word(lw: str, vocab: frozenset[str]) -> bool:
    """``lw`` or its stem without a plain English ending is a common English word."""
    if lw in vocab:
        return True
    for suffix in ("s", "es", "ed", "d", "ing", "ly"):
        if lw.endswith(suffix) and lw[: -len(suffix)] in vocab:
            return True
    return False


def _words_in_names(names: Iterable[str]) -> frozenset[str]:
    return frozenset(w.lower() for n in names for w in WORD_RE.findall(n) if len(w) > 1)


def story_names(*texts: str) -> tuple[str, ...]:
    """Proper names in a story's headline, standfirst or byline.

    A capitalised word counts when it is not a common English word (so a Title
    Case headline does not turn "Council Approves Budget" into names), or when
    it is in the name lists and stands next to such a word ("Dick Cheney").
    """
    vocab = english_vocabulary()
    people, places = _name_lists()
    out: list[str] = []
    for text in texts:
        # Hyphenated words are split: "Scunthorpe-born" names Scunthorpe.
        words = [w for m in WORD_RE.finditer(text or "") for w in re.split(r"[-‐]", m.group()) if w]
        strong = [
            _is_capitalised(w) and not _common_word(w.lower(), vocab) and w.lower() not in NOT_NAMES
            for w in words
        ]
        for i, w in enumerate(words):
            lw = w.lower()
            keep = strong[i] or (
                _is_capitalised(w)
                and (lw in people or lw in places)
                and ((i > 0 and strong[i - 1]) or (i + 1 < len(words) and strong[i + 1]))
            )
            if keep and w not in out:
                out.append(w)
    return tuple(out)


def mask(text: str, names: Iterable[str] = ()) -> MaskedText:
    """Find handles, hashtags, URLs and proper names in ``text`` (see module doc).

    ``names``: extra names for this comment (story people and places, other
    commenters); each word of them is matched in any case. Never raises for
    ``str`` input.
    """
    return _mask(text, tuple(sorted(set(names))))


@lru_cache(maxsize=2048)
def _mask(text: str, names: tuple[str, ...]) -> MaskedText:
    spans: list[tuple[int, int, str]] = []
    for rx, kind in (
        (EMAIL_RE, "email"),
        (URL_RE, "url"),
        (HANDLE_RE, "handle"),
        (HASHTAG_RE, "hashtag"),
    ):
        for m in rx.finditer(text):
            if not any(a < m.end() and m.start() < b for a, b, _ in spans):
                spans.append((m.start(), m.end(), kind))
    tags = tuple(w for a, b, k in spans if k == "hashtag" for w in split_hashtag(text[a:b]))
    taken = sorted((a, b) for a, b, _ in spans)

    def free(a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in taken)

    words = [m for m in WORD_RE.finditer(text) if free(m.start(), m.end())]
    spans += [(a, b, "name") for a, b in _name_runs(text, words, names)]
    spans.sort()
    out, last = [], 0
    for a, b, kind in spans:
        out.append(text[last:a])
        out.append(PLACEHOLDERS[kind])
        last = b
    out.append(text[last:])
    return MaskedText(
        original=text,
        text="".join(out),
        spans=tuple(MaskedSpan(k, a, b, text[a:b]) for a, b, k in spans),
        hashtag_words=tags,
        starts=tuple(a for a, _, _ in spans),
    )


def _name_runs(
    text: str, words: list[re.Match[str]], names: tuple[str, ...]
) -> list[tuple[int, int]]:
    """``[start, end)`` of runs of name words among ``words``."""
    if not words:
        return []
    vocab = english_vocabulary()
    people, places = _name_lists()
    insults = _insult_words()
    hindi = word_list("hinglish_words")
    extra = _words_in_names(names)
    ws = [m.group() for m in words]
    low = [w.lower() for w in ws]
    caps = [_is_capitalised(w) and lw not in NOT_NAMES for w, lw in zip(ws, low, strict=True)]
    starts = [caps[i] and _sentence_start(text, m.start()) for i, m in enumerate(words)]
    n_caps = sum(1 for w in ws if w[:1].isupper())
    caps_evidence = not (len(ws) >= 4 and n_caps / len(ws) >= TITLE_CASE_SHARE)
    honor = [
        i > 0
        and low[i - 1].rstrip(".") in HONORIFICS
        and words[i].start() - words[i - 1].end() <= 2
        for i in range(len(ws))
    ]
    # First pass: words that are names on their own evidence.
    is_name = [False] * len(ws)
    for i, lw in enumerate(low):
        if lw in extra and (lw not in insults or caps[i]):
            is_name[i] = True
        elif honor[i] and caps[i]:
            is_name[i] = True
        elif lw in places and lw not in insults:
            is_name[i] = True
        elif lw in insults or lw in hindi:
            # Insults and Hindi function words ("Hai", "Ho") are names only
            # with a neighbour's evidence (second pass): Hinglish comments
            # often capitalise words at random.
            continue
        elif caps[i] and caps_evidence and not starts[i]:
            is_name[i] = True
        elif starts[i] and caps[i] and caps_evidence and lw in people and lw not in vocab:
            is_name[i] = True  # "Hancock said..." at the start of a sentence
    # Second pass: capitalised name-list words (incl. insult-like ones) next to
    # a name ("Dick Cheney", "Kumar Ho", "Gandu Rao"), repeated until stable.
    changed = True
    while changed:
        changed = False
        for i, lw in enumerate(low):
            if is_name[i] or not caps[i]:
                continue
            near = (i > 0 and is_name[i - 1] and _adjacent(words[i - 1], words[i])) or (
                i + 1 < len(ws) and is_name[i + 1] and _adjacent(words[i], words[i + 1])
            )
            if near and (lw in people or lw in places or lw not in insults):
                is_name[i] = True
                changed = True
    runs: list[tuple[int, int]] = []
    for i, flag in enumerate(is_name):
        if not flag:
            continue
        a, b = words[i].start(), words[i].end()
        if runs and is_name[i - 1] and _adjacent(words[i - 1], words[i]):
            runs[-1] = (runs[-1][0], b)
        else:
            runs.append((a, b))
    return runs


def _adjacent(left: re.Match[str], right: re.Match[str]) -> bool:
    """Two words separated only by spaces (or "Mr. " style period)."""
    gap = left.string[left.end() : right.start()]
    return 0 < len(gap) <= 2 and gap.strip(" .") == ""
