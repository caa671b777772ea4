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


#: A call to buy, order, earn or make money: with a link, the shape of an advert.
ADVERT_RE = re.compile(
    r"(?i)\b(?:"
    r"buy|order|shop|purchase|sale|discount|cheap(?:est)?|deals?|coupon|promo(?:\s+code)?"
    r"|offer|free\s+trial|lowest\s+price|best\s+price|\d+\s*%\s*off"
    r"|earn(?:ing|s)?|make\s+(?:money|\$|₹|rs)|income|profit|per\s+(?:day|week|hour)"
    r"|work\s+from\s+home|get\s+rich|invest(?:ment)?|crypto|bitcoin|forex|casino|betting"
    r"|loans?|click\s+(?:here|now|the\s+link)|sign\s+up\s+now|join\s+now|dm\s+me|whatsapp"
    r"|limited\s+(?:time|offer)|hurry"
    r")\b"
)


def link_key(link: str) -> str:
    """A link without scheme, ``www.``, case and trailing punctuation: one key per target."""
    key = re.sub(r"(?i)^(?:https?://)?(?:www\.)?", "", link).rstrip(".,;:!?)]}'\"").lower()
    return key.rstrip("/")


class LinksRule:
    """LINKS (HOLD): the common shapes of link spam.

    * more than ``ctx.max_links`` links (default 2);
    * one link or more with a call to buy, order or earn (an advert);
    * a link the author already posted in one of ``ctx.recent_texts`` (the same
      advert dropped under several stories).

    Held, not refused: a moderator decides (a reader may well recommend a shop).
    Spans: the links, and the call to buy or earn.
    """

    name = "links"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See class doc."""
        n = normalise(text)
        matches = list(LINK_RE.finditer(n.text))
        spans = [n.span_text(m.start(), m.end()) for m in matches]
        if len(spans) > ctx.max_links:
            return RuleResult(
                self.name,
                Decision.HOLD,
                ReasonCode.LINKS,
                f"Your comment has {len(spans)} links; up to {ctx.max_links} are "
                "published straight away, so a moderator will check it first.",
                spans=spans,
                details={"links": len(spans), "max_links": ctx.max_links},
            )
        if not spans:
            return RuleResult(self.name, details={"links": 0})
        outside = LINK_RE.sub(" ", n.text)  # a call to buy inside the URL itself is not one
        call = ADVERT_RE.search(outside)
        if call is not None:
            where = n.text.find(call.group(0))
            call_span = [n.span_text(where, where + len(call.group(0)))] if where >= 0 else []
            return RuleResult(
                self.name,
                Decision.HOLD,
                ReasonCode.LINKS,
                "Your comment has a link and reads like an advertisement, so a moderator "
                "will check it first.",
                spans=spans + call_span,
                details={"links": len(spans), "advert": call.group(0)},
            )
        keys = {link_key(s.text) for s in spans}
        earlier = {link_key(m.group(0)) for r in ctx.recent_texts for m in LINK_RE.finditer(r)}
        repeated = sorted(keys & earlier)
        if repeated:
            return RuleResult(
                self.name,
                Decision.HOLD,
                ReasonCode.LINKS,
                "You have posted this link before; a moderator will check it first.",
                spans=[s for s in spans if link_key(s.text) in repeated],
                details={"links": len(spans), "repeated_links": repeated},
            )
        return RuleResult(self.name, details={"links": len(spans)})


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
