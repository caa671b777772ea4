"""Run the guideline rules over comments.

``check_comment(text, ctx)`` -> :class:`Verdict`; ``check_batch(texts, ctxs)``
-> list of verdicts (rules with a ``check_batch`` method, i.e. the model-based
abuse rule, run once over the whole batch). Rules are chosen by import path
(``"package.module.ClassName"``) like Django's ``import_string``; the default
list is :data:`DEFAULT_RULES`.

When a *gate* rule (empty, length, control characters) rejects, the content
rules are skipped: the comment cannot be published anyway, and this bounds the
work done on huge inputs.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import import_module

from . import models
from .base import CheckContext, Decision, Rule, RuleResult, Verdict

GATE_RULES: tuple[str, ...] = (
    "masthead.moderation.guidelines.rules.member.MemberStatusRule",
    "masthead.moderation.guidelines.rules.member.RateRule",
    "masthead.moderation.guidelines.rules.basic.EmptyRule",
    "masthead.moderation.guidelines.rules.basic.LengthRule",
    "masthead.moderation.guidelines.rules.basic.ControlCharsRule",
)
CONTENT_RULES: tuple[str, ...] = (
    "masthead.moderation.guidelines.rules.content.BannedWordsRule",
    "masthead.moderation.guidelines.rules.sentences.SentencesRule",
    "masthead.moderation.guidelines.rules.language.LanguageRule",
    "masthead.moderation.guidelines.rules.abuse.AbuseRule",
    "masthead.moderation.guidelines.rules.violence.ViolenceRule",
    "masthead.moderation.guidelines.rules.dehumanising.DehumanisingRule",
    "masthead.moderation.guidelines.rules.evasion.DodgedSwearingRule",
    "masthead.moderation.guidelines.rules.belittling.BelittlingRule",
    "masthead.moderation.guidelines.rules.repetition.RepetitionRule",
    "masthead.moderation.guidelines.rules.personal.PersonalAttackRule",
    "masthead.moderation.guidelines.rules.personal.PersonalDataRule",
    "masthead.moderation.guidelines.rules.content.LinksRule",
    "masthead.moderation.guidelines.rules.content.RepeatRule",
)
#: Default rule list, gates first.
DEFAULT_RULES: tuple[str, ...] = GATE_RULES + CONTENT_RULES
_GATE_NAMES = frozenset({"member", "rate", "empty", "length", "control_chars"})


def import_string(path: str) -> object:
    """Import ``"pkg.module.Attr"`` and return ``Attr``.

    Raises ImportError if the module or attribute does not exist.
    """
    module_path, _, attr = path.rpartition(".")
    if not module_path:
        raise ImportError(f"{path!r} is not a dotted path")
    module = import_module(module_path)
    try:
        return getattr(module, attr)
    except AttributeError as exc:
        raise ImportError(f"{module_path} has no attribute {attr!r}") from exc


_rules_lock = threading.Lock()
_rules_cache: dict[tuple[str, ...], list[Rule]] = {}


def load_rules(paths: Sequence[str] = DEFAULT_RULES) -> list[Rule]:
    """Instantiate the rule classes at ``paths`` (cached per tuple of paths)."""
    key = tuple(paths)
    with _rules_lock:
        if key not in _rules_cache:
            rules = []
            for p in key:
                cls = import_string(p)
                rule = cls() if isinstance(cls, type) else cls
                if not isinstance(rule, Rule):
                    raise TypeError(f"{p} is not a rule (needs name and check())")
                rules.append(rule)
            _rules_cache[key] = rules
        return _rules_cache[key]


def warm_up(paths: Sequence[str] = DEFAULT_RULES) -> None:
    """Load rules, models and word lists now (idempotent, thread-safe)."""
    models.warm_up()
    check_comment("Warming up the comment checks with a plain English sentence.", rules=paths)


def check_comment(
    text: str, ctx: CheckContext | None = None, *, rules: Sequence[str] = DEFAULT_RULES
) -> Verdict:
    """Check one comment. ``text`` is the writer's original text (str).

    Returns a :class:`Verdict`; spans index into ``text``. Raises TypeError if
    ``text`` is not a str.
    """
    return check_batch([text], [ctx or CheckContext()], rules=rules)[0]


def check_batch(
    texts: Sequence[str],
    ctxs: Sequence[CheckContext | None] | None = None,
    *,
    rules: Sequence[str] = DEFAULT_RULES,
) -> list[Verdict]:
    """Check many comments; results equal ``[check_comment(t, c) ...]``.

    ``ctxs`` is None (default context for all) or one context per text.
    Raises TypeError for non-str texts, ValueError for a length mismatch.
    """
    for t in texts:
        if not isinstance(t, str):
            raise TypeError(f"comment text must be str, not {type(t).__name__}")
    if ctxs is None:
        ctxs = [CheckContext()] * len(texts)
    if len(ctxs) != len(texts):
        raise ValueError("texts and ctxs differ in length")
    contexts = [c or CheckContext() for c in ctxs]
    loaded = load_rules(rules)
    results: list[list[RuleResult]] = [[] for _ in texts]
    gated = [False] * len(texts)
    for rule in loaded:
        is_gate = rule.name in _GATE_NAMES
        idx = [i for i in range(len(texts)) if is_gate or not gated[i]]
        if not idx:
            continue
        batch = getattr(rule, "check_batch", None)
        if batch is not None:
            outs = batch([texts[i] for i in idx], [contexts[i] for i in idx])
        else:
            outs = [rule.check(texts[i], contexts[i]) for i in idx]
        for i, r in zip(idx, outs, strict=True):
            results[i].append(r)
            if (
                is_gate
                and r.decision == Decision.REJECT
                and r.rule in ("empty", "length", "control_chars")
            ):
                gated[i] = True
    return [Verdict(r) for r in results]
