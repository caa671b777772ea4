"""Guideline rules. Each rule is a small class with ``name`` and
``check(text, ctx) -> RuleResult`` (see :class:`..base.Rule`)."""
