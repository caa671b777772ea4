"""Links, repeat posts and site word lists (LINKS, REPEAT_POST, BANNED_WORD,
SUSPECT_WORD)."""

from __future__ import annotations

import re

from ..base import CheckContext, Decision, ReasonCode, RuleResult, Span
from ..normalise import match_phrases, normalise

#: URLs with a scheme, "www." hosts, and bare domains with a common TLD.
LINK_RE = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>\"']+"
    r"|\b[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.(?:com|org|net|in|co\.in|co\.uk|io|info|ly|gl|me|tk)\b(?:/[^\s<>\"']*)?"
)


class LinksRule:
    """LINKS (HOLD): more than ``ctx.max_links`` links (default 2). Spans: all links."""

    name = "links"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See class doc."""
        n = normalise(text)
        spans = [n.span_text(m.start(), m.end()) for m in LINK_RE.finditer(n.text)]
        if len(spans) <= ctx.max_links:
            return RuleResult(self.name, details={"links": len(spans)})
        return RuleResult(
            self.name,
            Decision.HOLD,
            ReasonCode.LINKS,
            f"Your comment has {len(spans)} links; up to {ctx.max_links} are "
            "published straight away, so a moderator will check it first.",
            spans=spans,
            details={"links": len(spans), "max_links": ctx.max_links},
        )


def repeat_key(text: str) -> str:
    """Key for repeat detection: folded words joined by single spaces."""
    return " ".join(t.word for t in normalise(text).tokens())


class RepeatRule:
    """REPEAT_POST (HOLD): same words (ignoring case, accents, spacing,
    punctuation and invisible characters) as one of ``ctx.recent_texts``."""

    name = "repeat"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See class doc."""
        key = repeat_key(text)
        if key and any(repeat_key(r) == key for r in ctx.recent_texts):
            return RuleResult(
                self.name,
                Decision.HOLD,
                ReasonCode.REPEAT_POST,
                "You have already posted this comment. Please don't post the same comment twice.",
                spans=[Span(0, len(text), text)],
            )
        return RuleResult(self.name)


class BannedWordsRule:
    """BANNED_WORD (REJECT) for ``ctx.banned_words``; SUSPECT_WORD (HOLD) for
    ``ctx.suspect_words``. Matched on word boundaries, case/accent-insensitive,
    after removing zero-width and bidi characters. Spans: every match."""

    name = "words"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See class doc."""
        n = normalise(text)
        banned = match_phrases(n, tuple(ctx.banned_words))
        if banned:
            return RuleResult(
                self.name,
                Decision.REJECT,
                ReasonCode.BANNED_WORD,
                "Your comment uses words that are not allowed on this site ("
                + ", ".join(sorted({s.text for s in banned}))
                + "). Please remove them.",
                spans=banned,
            )
        suspect = match_phrases(n, tuple(ctx.suspect_words))
        if suspect:
            return RuleResult(
                self.name,
                Decision.HOLD,
                ReasonCode.SUSPECT_WORD,
                "Your comment uses words that a moderator checks before publishing.",
                spans=suspect,
            )
        return RuleResult(self.name)
