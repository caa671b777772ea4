"""Author-status and rate rules, from numbers in the context (no text checks)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from ..base import CheckContext, Decision, ReasonCode, RuleResult


class MemberStatusRule:
    """BANNED_USER / SUSPENDED_USER (REJECT), PREMOD_USER and NEW_MEMBER (HOLD)."""

    name = "member"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See class doc."""
        if ctx.author_banned:
            return RuleResult(
                self.name,
                Decision.REJECT,
                ReasonCode.BANNED_USER,
                "Your account can no longer post comments.",
            )
        until = ctx.author_suspended_until
        if until is not None:
            now = ctx.now or datetime.now(tz=until.tzinfo or None)
            if until.tzinfo is not None and now.tzinfo is None:
                now = now.replace(tzinfo=UTC)
            if now < until:
                return RuleResult(
                    self.name,
                    Decision.REJECT,
                    ReasonCode.SUSPENDED_USER,
                    f"Your account is suspended from commenting until "
                    f"{until.isoformat(timespec='minutes')}.",
                    details={"suspended_until": until.isoformat()},
                )
        if ctx.author_premoderated:
            return RuleResult(
                self.name,
                Decision.HOLD,
                ReasonCode.PREMOD_USER,
                "Your comments are checked by a moderator before they appear.",
            )
        if ctx.author_is_new_member and ctx.premod_new_members:
            return RuleResult(
                self.name,
                Decision.HOLD,
                ReasonCode.NEW_MEMBER,
                "Welcome! Comments from new members are checked by a moderator before they appear.",
            )
        return RuleResult(self.name)


class RateRule:
    """RATE_LIMIT (REJECT): less than ``ctx.min_seconds_between_comments``
    (default 3 s) since the author's last comment; DAILY_LIMIT (REJECT): the
    day's cap (``ctx.daily_limit``, or ``ctx.new_member_daily_limit`` for new
    members) already reached."""

    name = "rate"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See class doc."""
        since = ctx.seconds_since_last_comment
        if since is not None and since < ctx.min_seconds_between_comments:
            wait = max(1, math.ceil(ctx.min_seconds_between_comments - since))
            return RuleResult(
                self.name,
                Decision.REJECT,
                ReasonCode.RATE_LIMIT,
                "You are commenting too quickly; please wait "
                f"{wait} second{'' if wait == 1 else 's'} and try again.",
                details={"wait_seconds": wait},
            )
        cap = ctx.daily_limit
        if ctx.author_is_new_member and ctx.new_member_daily_limit is not None:
            cap = (
                ctx.new_member_daily_limit if cap is None else min(cap, ctx.new_member_daily_limit)
            )
        if cap is not None and ctx.comments_today >= cap:
            return RuleResult(
                self.name,
                Decision.REJECT,
                ReasonCode.DAILY_LIMIT,
                f"You have reached today's limit of {cap} comments. Please come back tomorrow.",
                details={"daily_limit": cap, "comments_today": ctx.comments_today},
            )
        return RuleResult(self.name)
