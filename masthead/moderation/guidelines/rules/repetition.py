"""Shouting by repetition (REPETITION): "RUSSIA RUSSIA RUSSIA", "lock her up
lock her up lock her up".

Fires when a word, or a phrase of up to ``MAX_PHRASE`` words, is repeated
``MIN_REPEATS`` times or more in a row (case and punctuation ignored).
@handles, #hashtags and links are skipped ("@USER @USER @USER" is a reply
list, not a chant). Laughter ("ha ha ha") and a few words people double for emphasis ("very very
very", "no no no") do not count. HOLD: a chant is not an argument, but it is
not abuse either, so a moderator decides.
"""

from __future__ import annotations

from ..base import CheckContext, Decision, ReasonCode, RuleResult, Span
from ..masking import mask
from ..normalise import normalise
from .language import LAUGHTER_RE

MIN_REPEATS = 3
MAX_PHRASE = 3
#: Words repeated for emphasis in ordinary writing.
EMPHASIS = frozenset(
    "very so no yes ha haa he hi la na really much more bye go bla blah yada lt gt amp".split()
)


def repeated_runs(text: str) -> list[tuple[int, int, str, int]]:
    """``(start, end, phrase, times)`` for runs of a repeated word or phrase,
    with original offsets."""
    links = [s for s in mask(text).spans if s.kind != "name"]
    words = [
        t
        for t in normalise(text).tokens()
        if any(c.isalpha() for c in t.word)
        and not any(s.start < t.end and t.start < s.end for s in links)
    ]
    ws = [t.word for t in words]
    out: list[tuple[int, int, str, int]] = []
    i = 0
    while i < len(ws):
        best = None
        for size in range(1, MAX_PHRASE + 1):
            unit = ws[i : i + size]
            if len(unit) < size:
                break
            times = 1
            while ws[i + times * size : i + (times + 1) * size] == unit:
                times += 1
            if times >= MIN_REPEATS:
                best = (size, times)
                break
        if best is None:
            i += 1
            continue
        size, times = best
        phrase = " ".join(ws[i : i + size])
        if not (size == 1 and (phrase in EMPHASIS or LAUGHTER_RE.match(phrase))):
            out.append((words[i].start, words[i + size * times - 1].end, phrase, times))
        i += size * times
    return out


class RepetitionRule:
    """REPETITION (HOLD): a word or short phrase chanted 3+ times in a row.
    Spans: each run; ``details["phrases"]``: what was repeated."""

    name = "repetition"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See module doc."""
        runs = repeated_runs(text)
        if not runs:
            return RuleResult(self.name)
        return RuleResult(
            self.name,
            Decision.HOLD,
            ReasonCode.REPETITION,
            "Your comment repeats the same words over and over, which reads as "
            "shouting, so a moderator will read it before it appears. Say it once "
            "and explain why.",
            spans=[Span(a, b, text[a:b]) for a, b, _, _ in runs],
            details={"phrases": [p for _, _, p, _ in runs], "times": [n for *_, n in runs]},
        )
