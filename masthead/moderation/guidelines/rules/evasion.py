"""Swearing spelt to dodge word filters (DODGED_SWEARING).

Finds swear words and slurs of ``data/insults.txt`` (weight >=
``MIN_WEIGHT``) written so that a plain word match misses them:

* masked letters: ``f*ck``, ``f**k``, ``b#tch``, ``sh%t`` (each ``* # %`` stands
  for one letter; at least two real letters, the first one real);
* leetspeak: ``sh1t``, ``5h1t``, ``b1tch``, ``a$$hole``, ``@sshole``;
* spaced or dotted letters: ``f u c k``, ``b.u.l.l.s.h.i.t``, ``f-u-c-k``;
* stretched letters: ``fuuuuck``, ``shiiiit`` (a letter three times or more);
* common respellings (our list ``RESPELLINGS``): ``fuk``, ``fck``, ``phuck``,
  ``biatch``, ``azz``...

Words of plain letters are only matched through ``RESPELLINGS`` or stretched
letters, so names are safe: Scunthorpe, Cockburn, Hoare, Shitole, Wankhede,
Dikshit and Butt are never read as swearing, and masked names, handles,
hashtags and links (``masking.mask``) are skipped.

Decision: HOLD; REJECT when the word is aimed at someone (a second-person
word within the 4 words before it or "you" right after: "f*ck you", "you
b1tch") or is a slur (weight >= ``REJECT_WEIGHT``). Deliberate spelling to get
past a filter is not a reason to be gentler than with the plain word.
"""

from __future__ import annotations

import re
from functools import cache

from ..base import CheckContext, Decision, ReasonCode, RuleResult, Span
from ..masking import mask
from ..models import weighted_list
from .abuse import SECOND_PERSON

MIN_WEIGHT = 0.5
REJECT_WEIGHT = 0.95
LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "€": "e",
    }
)
#: Respellings people use for swear words (our own list) -> the word.
RESPELLINGS = {
    "fuk": "fuck",
    "fuking": "fucking",
    "fukin": "fucking",
    "fck": "fuck",
    "fcking": "fucking",
    "fckin": "fucking",
    "fcuk": "fuck",
    "fcuking": "fucking",
    "phuck": "fuck",
    "phuk": "fuck",
    "phucking": "fucking",
    "fuq": "fuck",
    "fvck": "fuck",
    "fuxk": "fuck",
    "fking": "fucking",
    "fkin": "fucking",
    "fukker": "fucker",
    "fucka": "fucker",
    "muthafucka": "motherfucker",
    "mofo": "motherfucker",
    "motherfcker": "motherfucker",
    "shyt": "shit",
    "sh1t": "shit",
    "bullsht": "bullshit",
    "bulshit": "bullshit",
    "biatch": "bitch",
    "biotch": "bitch",
    "btch": "bitch",
    "bytch": "bitch",
    "azz": "ass",
    "azzhole": "asshole",
    "arsehole": "asshole",
    "assh0le": "asshole",
    "cnut": "cunt",
    "kunt": "cunt",
    "wnker": "wanker",
    "chutia": "chutiya",
    "chutya": "chutiya",
    "chootiya": "chutiya",
    "madarchodd": "madarchod",
    "bhencho": "bhenchod",
    "bsdk": "bhosdike",
}
#: A token that may hide a word: letters mixed with digits/symbols.
TOKEN_RE = re.compile(r"[A-Za-z0-9@$!|*#%€]+(?:\.[A-Za-z0-9@$!|*#%€]+)*")
#: Single letters separated by spaces, dots, dashes or underscores: "f u c k".
SPACED_RE = re.compile(r"(?<![\w*])(?:[A-Za-z][ .\-_]{1,2}){2,}[A-Za-z](?![\w*])")
_STRETCH_RE = re.compile(r"(.)\1{2,}")


@cache
def _targets() -> dict[str, float]:
    """Single swear words of the insult list with their weights."""
    return {p: w for p, w in weighted_list("insults").items() if " " not in p and w >= MIN_WEIGHT}


def _squeeze(w: str) -> str:
    return re.sub(r"(.)\1+", r"\1", w)


@cache
def _squeezed_targets() -> dict[str, str]:
    return {_squeeze(t): t for t in _targets() if len(t) >= 4}


def decode(token: str) -> str | None:
    """The swear word ``token`` hides, or None. ``token`` is one written word."""
    low = token.lower()
    targets = _targets()
    if low.isalpha():
        if low in RESPELLINGS and RESPELLINGS[low] in targets:
            return RESPELLINGS[low]
        if _STRETCH_RE.search(low) and low not in targets:
            return _squeezed_targets().get(_squeeze(low))
        return None
    parts = low.split(".")
    plain = "".join(parts)
    if plain.isalpha():
        # "b.u.l.l.s.h.i.t", "f.ck": dots between single letters or short pieces.
        dotted = len(parts) > 2 and all(len(p) <= 2 for p in parts)
        return plain if dotted and plain in targets and len(plain) >= 3 else None
    if any(c in "*#%" for c in plain):
        letters = sum(c.isalpha() for c in plain)
        if letters < 2 or not plain[0].isalpha():
            return None
        rx = re.compile(
            "".join("[a-z]" if c in "*#%" else re.escape(c) for c in plain.translate(LEET))
        )
        found = [t for t in targets if rx.fullmatch(t)]
        # Ambiguous ("s**t": shit or slut): the milder reading.
        return min(found, key=lambda t: targets[t]) if found else None
    if plain.isdigit() or sum(c.isalpha() for c in plain) < 2:
        return None
    leet = plain.translate(LEET)
    if leet in targets:
        return leet
    if leet in RESPELLINGS:
        return RESPELLINGS[leet]
    return _squeezed_targets().get(_squeeze(leet)) if _STRETCH_RE.search(leet) else None


def dodged_words(text: str) -> list[tuple[Span, str]]:
    """``(span, decoded word)`` for every dodged swear word in ``text``."""
    masked = mask(text)
    out: list[tuple[Span, str]] = []
    for m in SPACED_RE.finditer(text):
        word = re.sub(r"[ .\-_]", "", m.group()).lower()
        found = word if word in _targets() else _squeezed_targets().get(_squeeze(word))
        if found and not masked.overlaps(m.start(), m.end()):
            out.append((Span(m.start(), m.end(), m.group()), found))
    taken = [(s.start, s.end) for s, _ in out]
    for m in TOKEN_RE.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken) or masked.overlaps(
            m.start(), m.end()
        ):
            continue
        found = decode(m.group())
        if found:
            out.append((Span(m.start(), m.end(), m.group()), found))
    return sorted(out, key=lambda x: x[0].start)


def _aimed(text: str, span: Span) -> bool:
    before = re.findall(r"[a-z']+", text[: span.start].lower())[-4:]
    after = re.findall(r"[a-z']+", text[span.end :].lower())[:1]
    return any(w in SECOND_PERSON for w in before) or after in (["you"], ["u"])


class DodgedSwearingRule:
    """DODGED_SWEARING: HOLD for swearing spelt to dodge filters, REJECT when
    aimed at someone or a slur (see module doc). Spans: the dodged words;
    ``details["words"]``: what they spell."""

    name = "dodged_swearing"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See module doc."""
        found = dodged_words(text)
        if not found:
            return RuleResult(self.name)
        targets = _targets()
        spans = [s for s, _ in found]
        words = sorted({w for _, w in found})
        severe = any(targets.get(w, 0) >= REJECT_WEIGHT or _aimed(text, s) for s, w in found)
        if severe:
            return RuleResult(
                self.name,
                Decision.REJECT,
                ReasonCode.DODGED_SWEARING,
                "Comments cannot be abusive, however the words are spelt. Please "
                "remove the insults and make your point about the story.",
                spans=spans,
                details={"words": words},
            )
        return RuleResult(
            self.name,
            Decision.HOLD,
            ReasonCode.DODGED_SWEARING,
            "Your comment seems to spell out swear words in disguise, so a "
            "moderator will read it before it appears.",
            spans=spans,
            details={"words": words},
        )
