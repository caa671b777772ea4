"""Full-sentences rule (NOT_SENTENCES).

Rejects, with feedback:
    * no letters at all (emoji-only, punctuation or digits only);
    * fewer than ``MIN_WORDS`` words ("Nice", "Agreed!");
    * ALL-CAPS shouting: at least ``CAPS_MIN_LETTERS`` letters of which at
      least ``CAPS_SHARE`` are capitals -- a HOLD, not a reject: capitals are
      rude but the comment is still written in sentences, and 90 of the 4,628
      acceptable (NAG) TRAC-1 English *train* comments are in capitals;
    * text-speak: at least 2 words from our list ``data/textspeak.txt``
      ("u", "r", "gr8", "lol") making at least ``TEXTSPEAK_SHARE`` of the words;
    * strings of punctuation: more punctuation/symbol characters than letters.
Thresholds are house choices (not tuned on data); ``evaluate`` reports how
often they fire on acceptable comments.
"""

from __future__ import annotations

import unicodedata

from ..base import CheckContext, Decision, ReasonCode, RuleResult, Span
from ..models import word_list
from ..normalise import normalise

MIN_WORDS = 2
CAPS_MIN_LETTERS = 12
CAPS_SHARE = 0.9
TEXTSPEAK_SHARE = 0.3


def _reject(rule: str, message: str, kind: str, spans: list[Span] | None = None) -> RuleResult:
    return RuleResult(
        rule,
        Decision.REJECT,
        ReasonCode.NOT_SENTENCES,
        message,
        spans=spans or [],
        details={"kind": kind},
    )


class SentencesRule:
    """NOT_SENTENCES: see module doc. ``details["kind"]`` is one of
    ``no_words``, ``too_few_words``, ``shouting``, ``text_speak``,
    ``punctuation``."""

    name = "sentences"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See class doc."""
        n = normalise(text)
        if not n.text.strip():
            return RuleResult(self.name)  # EmptyRule reports this.
        whole = [n.span_text(0, len(n.text))]
        letters = [c for c in n.text if c.isalpha()]
        tokens = [t for t in n.tokens() if any(c.isalpha() for c in t.word)]
        if not letters:
            return _reject(
                self.name,
                "Comments have to be written in full sentences; yours has no words. "
                "Please say what you think in a sentence or two.",
                "no_words",
                whole,
            )
        if len(tokens) < MIN_WORDS:
            return _reject(
                self.name,
                "Comments have to be in full sentences. Please add a sentence "
                "saying what you think and why.",
                "too_few_words",
                whole,
            )
        cased = [c for c in letters if c.isupper() or c.islower()]
        if len(cased) >= CAPS_MIN_LETTERS:
            upper = sum(1 for c in cased if c.isupper())
            if upper / len(cased) >= CAPS_SHARE:
                return RuleResult(
                    self.name,
                    Decision.HOLD,
                    ReasonCode.NOT_SENTENCES,
                    "Your comment is written in capital letters only, which reads "
                    "as shouting, so a moderator will read it before it appears. "
                    "Use normal capitalisation to have it published straight away.",
                    spans=whole,
                    details={"kind": "shouting"},
                )
        speak = word_list("textspeak")
        hits = [t for t in tokens if t.word in speak]
        if len(hits) >= 2 and len(hits) / len(tokens) >= TEXTSPEAK_SHARE:
            return _reject(
                self.name,
                "Comments have to be in full sentences. Please write words out in "
                'full (for example "you" rather than "u").',
                "text_speak",
                [Span(t.start, t.end, text[t.start : t.end]) for t in hits],
            )
        punct = sum(1 for c in n.text if unicodedata.category(c)[0] in ("P", "S") and c not in "'’")
        if punct > len(letters):
            return _reject(
                self.name,
                "Comments have to be in full sentences; yours is mostly symbols or "
                "punctuation. Please write it out in words.",
                "punctuation",
                whole,
            )
        return RuleResult(self.name)
