"""Basic shape rules: EMPTY, TOO_LONG and CONTROL_CHARS."""

from __future__ import annotations

from ..base import CheckContext, Decision, ReasonCode, RuleResult, Span
from ..normalise import normalise


class EmptyRule:
    """REJECT (EMPTY) when nothing visible is left after normalisation
    (empty, whitespace, or only zero-width/control characters)."""

    name = "empty"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See class doc."""
        if normalise(text).text.strip():
            return RuleResult(self.name)
        return RuleResult(
            self.name,
            Decision.REJECT,
            ReasonCode.EMPTY,
            "Your comment is empty. Please write something before posting.",
        )


class LengthRule:
    """REJECT (TOO_LONG) when ``len(text) > ctx.max_length`` characters
    (default 5000). The span covers the part beyond the limit."""

    name = "length"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See class doc."""
        n = len(text)
        if n <= ctx.max_length:
            return RuleResult(self.name, details={"length": n})
        return RuleResult(
            self.name,
            Decision.REJECT,
            ReasonCode.TOO_LONG,
            f"Your comment is {n:,} characters long; the limit is "
            f"{ctx.max_length:,}. Please shorten it by {n - ctx.max_length:,} "
            f"character{'' if n - ctx.max_length == 1 else 's'}.",
            spans=[Span(ctx.max_length, n, text[ctx.max_length : ctx.max_length + 80])],
            details={"length": n, "max_length": ctx.max_length},
        )


class ControlCharsRule:
    """REJECT (CONTROL_CHARS) when the text holds control characters other than
    tab/newline/carriage return (Unicode category Cc), e.g. NUL or ESC."""

    name = "control_chars"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See class doc."""
        n = normalise(text)
        if not n.control_chars:
            return RuleResult(self.name)
        spans = [Span(i, i + 1, text[i]) for i in n.control_chars[:20]]
        return RuleResult(
            self.name,
            Decision.REJECT,
            ReasonCode.CONTROL_CHARS,
            "Your comment contains invisible control characters. Please retype "
            "it or paste it as plain text.",
            spans=spans,
            details={"count": len(n.control_chars)},
        )
