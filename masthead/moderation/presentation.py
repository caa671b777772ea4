"""Turn a stored verdict into what a moderator reads: escaped text with the matched spans
highlighted, the rules that fired with their scores and reason codes, and the detected
language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass
class FiredRule:
    """One rule that held or rejected the comment."""

    rule: str
    decision: str
    code: str
    score: float | None
    message: str


@dataclass
class VerdictSummary:
    """What the queue row shows about a stored verdict (``Verdict.to_dict()`` shape)."""

    decision: str = ""
    reasons: list[str] = field(default_factory=list)
    fired: list[FiredRule] = field(default_factory=list)
    language: str | None = None
    language_confidence: float | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)


def summarise(verdict: dict[str, Any] | None) -> VerdictSummary:
    """Read a ``Verdict.to_dict()`` dict defensively (old or partial dicts give blanks)."""
    out = VerdictSummary()
    if not isinstance(verdict, dict):
        return out
    out.decision = str(verdict.get("decision") or "")
    out.reasons = [str(r) for r in verdict.get("reasons") or []]
    for result in verdict.get("results") or []:
        if not isinstance(result, dict):
            continue
        details = result.get("details") or {}
        if isinstance(details, dict) and out.language is None and details.get("language"):
            out.language = str(details["language"])
            conf = details.get("confidence")
            out.language_confidence = float(conf) if isinstance(conf, int | float) else None
        if result.get("decision") in ("hold", "reject"):
            score = result.get("score")
            out.fired.append(
                FiredRule(
                    rule=str(result.get("rule") or ""),
                    decision=str(result.get("decision")),
                    code=str(result.get("code") or ""),
                    score=float(score) if isinstance(score, int | float) else None,
                    message=str(result.get("message") or ""),
                )
            )
            for span in result.get("spans") or []:
                try:
                    out.spans.append((int(span["start"]), int(span["end"])))
                except (KeyError, TypeError, ValueError):
                    continue
    return out


def highlight(text: str, spans: list[tuple[int, int]]) -> SafeString:
    """Escape ``text`` and wrap each ``[start, end)`` span in ``<mark>``.

    Spans out of range are clipped; overlapping spans are merged. Everything outside and
    inside the marks is HTML-escaped, so the result is safe to render.
    """
    n = len(text)
    clipped = sorted((max(0, s), min(n, e)) for s, e in spans if min(n, e) > max(0, s))
    merged: list[list[int]] = []
    for s, e in clipped:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    parts: list[str] = []
    pos = 0
    for s, e in merged:
        parts.append(escape(text[pos:s]))
        parts.append(f'<mark class="moderation-match">{escape(text[s:e])}</mark>')
        pos = e
    parts.append(escape(text[pos:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above
