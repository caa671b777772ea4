"""Belittling a reader (PERSONAL_ATTACK, HOLD): "You clearly know nothing, go
back to school", "get a life", "do you even read?".

Comments cannot be personal. The abuse rule catches insults; these are
put-downs without an insult word, aimed at the person rather than the
argument. Two kinds of pattern (our own list):

* second-person put-downs anywhere: "you (clearly) know nothing", "you have
  no idea/clue/brain", "you don't know what you are talking about", "are you
  blind/stupid", "you are clueless/ignorant/brainless/uneducated";
* imperatives at the start of a sentence (so "the children go back to school
  on Monday" passes): "go back to school", "get a life", "grow up", "shut
  up", "learn to read", "get lost", "get your facts straight", "educate
  yourself", "use your brain".
"""

from __future__ import annotations

import re

from ..base import CheckContext, Decision, ReasonCode, RuleResult, Span

_YOU = r"(?:you|u|ya)"
_ADV = r"(?:\s+(?:clearly|obviously|really|just|simply|honestly|seriously|evidently|probably))?"
ANYWHERE = re.compile(
    rf"\b{_YOU}{_ADV}\s+(?:know|knows|understand|understood)\s+(?:nothing|zero|nil|squat)\b"
    rf"|\b{_YOU}{_ADV}\s+(?:have|got|has)\s+(?:no|zero)\s+(?:idea|clue|brains?|sense|knowledge)\b"
    rf"|\b{_YOU}\s+(?:do\s*n[o']?t|dont|don’t)\s+(?:even\s+)?know\s+what\s+{_YOU}(?:'re|’re|\s+are|\s+r)\s+talking\s+about\b"
    rf"|\bare\s+{_YOU}\s+(?:blind|stupid|dumb|mad|illiterate|thick|deaf|brain\s*dead)\b"
    rf"|\b(?:{_YOU}\s+(?:are|r)|you're|you’re|ur)(?:\s+(?:so|really|clearly|just|such\s+an?|an?|totally))?\s+"
    r"(?:clueless|ignorant|brainless|uneducated|illiterate|delusional|a\s+joke|a\s+clown|a\s+disgrace|a\s+nobody)\b"
    rf"|\bdo\s+{_YOU}\s+even\s+(?:read|think|know)\b",
    re.IGNORECASE,
)
IMPERATIVE = re.compile(
    r"^\W*(?:please\s+|just\s+|pls\s+|now\s+)?(?:go\s+back\s+to\s+(?:school|kindergarten|nursery)|get\s+a\s+life|grow\s+up|"
    r"shut\s+up|learn\s+(?:how\s+)?to\s+read|get\s+lost|get\s+your\s+facts\s+(?:straight|right)|"
    r"educate\s+yourself|use\s+your\s+brain|go\s+and\s+study|get\s+an\s+education)\b",
    re.IGNORECASE,
)
_CLAUSE_RE = re.compile(r"[^.!?,;:\n…]+")


def put_downs(text: str) -> list[Span]:
    """Spans of belittling phrases in ``text``."""
    out = [Span(m.start(), m.end(), m.group()) for m in ANYWHERE.finditer(text)]
    for c in _CLAUSE_RE.finditer(text):
        m = IMPERATIVE.match(c.group())
        if m:
            a = c.start() + m.start()
            out.append(Span(a, c.start() + m.end(), text[a : c.start() + m.end()]))
    return sorted(out, key=lambda s: s.start)


class BelittlingRule:
    """PERSONAL_ATTACK (HOLD) for put-downs aimed at a reader (see module doc)."""

    name = "belittling"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See module doc."""
        spans = put_downs(text)
        if not spans:
            return RuleResult(self.name)
        return RuleResult(
            self.name,
            Decision.HOLD,
            ReasonCode.PERSONAL_ATTACK,
            "Comments cannot be personal. Please answer the argument, not the person who made it.",
            spans=spans,
            details={"phrases": [s.text.strip().lower() for s in spans]},
        )
