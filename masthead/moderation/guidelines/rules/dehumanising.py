"""Dehumanisation rule (DEHUMANISING): people called animals or vermin.

"<people> are animals / vermin / snakes / parasites / cockroaches ..." --
the words that have preceded violence against groups. Fires when a sentence
says people or a group *are* (or are "like", "nothing but", "no better
than") one of ``DEHUMANISING_WORDS``:

* a group of people defined by who they are (``targets.IDENTITY_GROUPS``:
  "Muslims are parasites", "those migrants are vermin"): REJECT;
* any other people ("he is a snake", "they are animals", "these people are
  animals", "politicians are rats"): HOLD -- a moderator decides, since
  "snake" and "animal" are also figures of speech.

Violent wishes in the same comment are the violence rule's business (it
rejects them together with dehumanisation).
"""

from __future__ import annotations

import re

from ..base import CheckContext, Decision, ReasonCode, RuleResult, Span
from .targets import DEMONSTRATIVES, GROUPS, IDENTITY_GROUPS, PERSON_PRONOUNS

DEHUMANISING_WORDS = (
    "animals animal beasts beast vermin snakes snake parasites parasite cockroaches cockroach "
    "rats rat pigs swine dogs insects termites leeches maggots lice germs "
    "subhumans subhuman subhuman scum filth savages savage monkeys apes"
).split()
_COPULA = r"(?:are|r|is|were|was|be|being|'re|’re|'s|’s)"
_HEDGE = r"(?:\s+(?:just|all|only|simply|nothing\s+but|no\s+better\s+than|worse\s+than|like|literally|basically|a|an|bunch\s+of|pack\s+of|filthy|dirty|disgusting|bloody|\w+ing)){0,3}"
PATTERN = re.compile(
    r"\b(?P<subject>(?:(?:these|those|such|all|the)\s+)?[a-z'-]+)\s*"
    + _COPULA
    + _HEDGE
    + r"\s+(?P<word>"
    + "|".join(sorted(set(DEHUMANISING_WORDS), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)


def dehumanising_matches(text: str) -> list[tuple[re.Match[str], bool]]:
    """Matches aimed at people, each with ``True`` when aimed at an identity group."""
    out = []
    for m in PATTERN.finditer(text):
        words = m.group("subject").lower().split()
        head = words[-1].strip("'’")
        group = head in GROUPS or (len(words) > 1 and words[0] in DEMONSTRATIVES)
        if group or head in PERSON_PRONOUNS or head in ("they're", "they’re", "you're"):
            out.append((m, head in IDENTITY_GROUPS))
    return out


class DehumanisingRule:
    """DEHUMANISING: REJECT for an identity group called vermin/animals, HOLD
    for other people (see module doc). Spans: the matched phrase."""

    name = "dehumanising"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See module doc."""
        found = dehumanising_matches(text)
        if not found:
            return RuleResult(self.name)
        spans = [Span(m.start(), m.end(), m.group()) for m, _ in found]
        words = sorted({m.group("word").lower() for m, _ in found})
        if any(group for _, group in found):
            return RuleResult(
                self.name,
                Decision.REJECT,
                ReasonCode.DEHUMANISING,
                "Comments cannot describe groups of people as animals or vermin. "
                "Please criticise what people do, not what they are.",
                spans=spans,
                details={"words": words, "target": "group"},
            )
        return RuleResult(
            self.name,
            Decision.HOLD,
            ReasonCode.DEHUMANISING,
            "Your comment compares people to animals or vermin, so a moderator "
            "will read it before it appears.",
            spans=spans,
            details={"words": words, "target": "person"},
        )
