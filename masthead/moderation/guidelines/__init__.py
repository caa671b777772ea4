"""Comment guideline checks for the Masthead news page.

House rules: "Comments have to be in English, and in full sentences. They
cannot be abusive or personal." Pure Python; no Django imports.

Public API::

    from masthead.moderation.guidelines import check_comment, check_batch, CheckContext
    verdict = check_comment("text", CheckContext(...))
    verdict.decision, verdict.reasons, verdict.message, verdict.to_dict()
"""

from .base import CheckContext, Decision, ReasonCode, RuleResult, Span, Verdict
from .pipeline import DEFAULT_RULES, check_batch, check_comment, load_rules, warm_up

__all__ = [
    "DEFAULT_RULES",
    "CheckContext",
    "Decision",
    "ReasonCode",
    "RuleResult",
    "Span",
    "Verdict",
    "check_batch",
    "check_comment",
    "load_rules",
    "warm_up",
]
