"""Personal rules: PERSONAL_ATTACK and PERSONAL_DATA (both HOLD).

PERSONAL_ATTACK fires when an abusive phrase from ``data/insults.txt`` (weight
>= ``MIN_WEIGHT``) is aimed at a person: preceded within 4 words by "you"/"your"
/an @handle/the name of another commenter or the story's author
(``ctx.thread_names``, ``ctx.story_author_names``), or followed by "you".
Quoted or discussed words do not count (see ``abuse.mention_ranges``).

PERSONAL_DATA fires on e-mail addresses and phone numbers: Indian mobiles
(optional +91/0 prefix, 10 digits starting 6-9, as allotted by the National
Numbering Plan 2003) and other international numbers written with a leading
"+" and 9-15 digits (ITU-T E.164 maximum length 15).
"""

from __future__ import annotations

import re

from ..base import CheckContext, Decision, ReasonCode, RuleResult, Span
from .abuse import lexicon_hits

MIN_WEIGHT = 0.4
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
INDIAN_MOBILE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)91[\s.-]*|0)?[6-9]\d{1,4}(?:[\s.-]?\d){5,8}(?!\d)"
)
INTL_PHONE_RE = re.compile(r"(?<![\w+])\+\d[\d\s().-]{7,20}\d(?!\d)")


def _digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


class PersonalAttackRule:
    """PERSONAL_ATTACK (HOLD): insults aimed at a commenter, the author or a
    named person. Spans: the insulting words."""

    name = "personal_attack"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See module doc."""
        names = [*ctx.thread_names, *ctx.story_author_names, *ctx.story_names]
        hits = [h for h in lexicon_hits(text, names) if h.targeted and h.weight >= MIN_WEIGHT]
        if not hits:
            return RuleResult(self.name)
        return RuleResult(
            self.name,
            Decision.HOLD,
            ReasonCode.PERSONAL_ATTACK,
            "Comments cannot be personal. Please discuss the story and other "
            "readers' arguments, not the people.",
            spans=[h.span for h in hits],
            details={"phrases": sorted({h.phrase for h in hits})},
        )


class PersonalDataRule:
    """PERSONAL_DATA (HOLD): e-mail addresses and phone numbers, with spans."""

    name = "personal_data"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See module doc."""
        spans: list[Span] = []
        kinds: list[str] = []
        for m in EMAIL_RE.finditer(text):
            spans.append(Span(m.start(), m.end(), m.group()))
            kinds.append("email")
        taken = [(s.start, s.end) for s in spans]
        for rx, kind in ((INDIAN_MOBILE_RE, "phone"), (INTL_PHONE_RE, "phone")):
            for m in rx.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                d = _digits(m.group())
                if kind == "phone" and rx is INDIAN_MOBILE_RE and not 10 <= d <= 12:
                    continue
                if rx is INTL_PHONE_RE and not 9 <= d <= 15:
                    continue
                spans.append(Span(m.start(), m.end(), m.group()))
                kinds.append(kind)
                taken.append((m.start(), m.end()))
        if not spans:
            return RuleResult(self.name)
        spans.sort(key=lambda s: s.start)
        return RuleResult(
            self.name,
            Decision.HOLD,
            ReasonCode.PERSONAL_DATA,
            "Please don't post e-mail addresses or phone numbers in comments; "
            "remove them to protect your and others' privacy.",
            spans=spans,
            details={"kinds": sorted(set(kinds))},
        )
