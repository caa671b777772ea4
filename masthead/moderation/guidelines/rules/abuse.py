"""Abusive-language rule (TOXIC) and shared helpers for the personal rule.

Two scores (0..1):

* the *reject score* = 1 - (1 - p_model) * (1 - p_lexicon), where
    * ``p_model``: alt-profanity-check 1.9.1 probability (linear SVM,
      calibrated; trained by its authors on Davidson et al. 2017 + Wikipedia
      toxic comments), computed on the text with *mentions* masked;
    * ``p_lexicon``: the highest weight among phrases of our own list
      ``data/insults.txt`` used in the text (word-boundary match on folded
      text, so "Scunthorpe", "assess" and "cockpit" never match), plus
      ``TARGET_BONUS`` when the phrase is aimed at someone ("you idiot");
* the *hold score* = reject score + ``NEGATIVITY_WEIGHT`` * max(0, -VADER
  compound) + ``TARGETED_NEGATIVE_WEIGHT`` if a second-person word stands
  within 3 words before (or right after) a word of negative VADER valence
  (<= ``NEGATIVE_VALENCE``), capped at 1. VADER (Hutto & Gilbert 2014,
  vaderSentiment, MIT) catches hostile comments without profanity ("you are
  a disgrace to this country") that the other two miss; being weak evidence
  it only ever sends a comment to a moderator, never rejects it.

A *mention* is a word that is quoted or discussed rather than used: text in
quotation marks ('idiot', "idiot", “idiot”) of up to 40 characters, or the
word after "the word"/"the term"/"words like". Mentions are ignored by the
model and lexicon parts of the score.

Thresholds: ``ctx.abuse_reject_score`` (default 0.95) applies to the reject
score, ``ctx.abuse_hold_score`` (default 0.30) to the hold score. The two
weights were chosen on TRAC-1 English *train* (OAG vs NAG) by best F1 over a
small grid (``NEGATIVITY_WEIGHT`` 0-0.4, ``TARGETED_NEGATIVE_WEIGHT`` 0-0.2);
the hold default stayed at 0.30, which now holds about 10% of acceptable
(NAG) train comments instead of 6.5% (0.40 would hold 6.5%). ``evaluate``
reports TRAC-1 dev and OLID, and F1 and workload at other hold thresholds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..base import CheckContext, Decision, ReasonCode, RuleResult, Span
from ..masking import PLACEHOLDERS, mask
from ..models import profanity_predict_prob, sentiment_analyzer, weighted_list
from ..normalise import NormalisedText, normalise, phrase_pattern

TARGET_BONUS = 0.15
#: Hold-score terms (see module doc); chosen on TRAC-1 English train.
NEGATIVITY_WEIGHT = 0.30
TARGETED_NEGATIVE_WEIGHT = 0.10
NEGATIVE_VALENCE = -1.5
_WORD_RE = re.compile(r"[a-z']+")
MENTION_RE = re.compile(
    r"""(?:(?<!\w)'[^'\n]{1,40}'(?!\w)|"[^"\n]{1,40}"|“[^”\n]{1,40}”|‘[^’\n]{1,40}’"""
    r"""|\b(?:the\s+(?:word|words|term|phrase|slur|insult)s?|words?\s+like|called\s+\w+)\s+[\w*]+)""",
    re.IGNORECASE,
)
SECOND_PERSON = frozenset(
    [
        "you",
        "u",
        "ur",
        "your",
        "youre",
        "you're",
        "yourself",
        "yourselves",
        "ye",
        "thou",
        "tum",
        "tu",
        "tere",
        "tera",
        "teri",
    ]
)


@dataclass(frozen=True, slots=True)
class LexiconHit:
    """A lexicon phrase used (not mentioned) in a comment."""

    phrase: str
    weight: float
    span: Span
    targeted: bool


def mention_ranges(n: NormalisedText) -> list[tuple[int, int]]:
    """Original-text ``[start, end)`` ranges that are quoted or discussed words."""
    out = []
    for m in MENTION_RE.finditer(n.text):
        sp = n.span_text(m.start(), m.end())
        out.append((sp.start, sp.end))
    return out


def _inside(start: int, end: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in ranges)


def lexicon_hits(text: str, names: Sequence[str] = ()) -> list[LexiconHit]:
    """Abusive phrases used in ``text`` (mentions excluded), with targeting.

    A hit is *targeted* when a second-person word, an @handle or one of
    ``names`` appears within the 4 words before it, or the hit is followed by
    "you". Words inside a masked name, handle, hashtag or URL (``masking.mask``
    with ``names``) are not hits: "Dick Cheney" and "Mr. Butt" insult no one.
    """
    lex = weighted_list("insults")
    n = normalise(text)
    pat = phrase_pattern(tuple(lex))
    if pat is None:
        return []
    masked = mask(text, names)
    mentions = mention_ranges(n)
    tokens = n.tokens()
    folded_names = {normalise(x).folded.strip() for x in names if x.strip()}
    name_words = {w for nm in folded_names for w in nm.split()}
    hits = []
    for m in pat.finditer(n.folded):
        sp = n.span_folded(m.start(), m.end())
        if _inside(sp.start, sp.end, mentions) or masked.overlaps(sp.start, sp.end):
            continue
        phrase = " ".join(re.split(r"[\W_]+", m.group()))
        weight = lex.get(phrase, 0.5)
        if weight <= 0:
            continue
        idx = next((i for i, t in enumerate(tokens) if t.start >= sp.start), len(tokens))
        before = tokens[max(0, idx - 4) : idx]
        after = tokens[idx + len(phrase.split()) : idx + len(phrase.split()) + 1]
        targeted = any(t.word in SECOND_PERSON or t.word in name_words for t in before) or any(
            t.word in ("you", "u") for t in after
        )
        if not targeted:
            at = text.rfind("@", 0, sp.start)
            targeted = at >= 0 and len(text[at : sp.start].split()) <= 4
        hits.append(LexiconHit(phrase, weight, sp, targeted))
    return hits


def masked_for_model(text: str, names: Sequence[str] = ()) -> str:
    """``text`` for the model: mentions replaced by a neutral word, and names,
    @handles, #hashtags and URLs by ``masking.PLACEHOLDERS`` tokens."""
    n = normalise(text)
    ranges = [(a, b, " term ") for a, b in mention_ranges(n)]
    ranges += [(s.start, s.end, PLACEHOLDERS[s.kind]) for s in mask(text, names).spans]
    if not ranges:
        return n.text
    out, last = [], 0
    for a, b, repl in sorted(ranges):
        if a < last:
            continue  # overlaps the previous stretch
        out.append(text[last:a])
        out.append(repl)
        last = b
    out.append(text[last:])
    return normalise("".join(out)).text


def lexicon_score(hits: Sequence[LexiconHit]) -> float:
    """Highest hit weight (+ TARGET_BONUS if targeted), capped at 1."""
    best = 0.0
    for h in hits:
        best = max(best, min(1.0, h.weight + (TARGET_BONUS if h.targeted else 0.0)))
    return best


def combine(p_model: float, p_lex: float) -> float:
    """Noisy-OR of the two scores."""
    return 1.0 - (1.0 - p_model) * (1.0 - p_lex)


def negativity(text: str) -> tuple[float, bool]:
    """``(max(0, -VADER compound), targeted)`` for ``text``.

    ``targeted``: a word with VADER valence <= ``NEGATIVE_VALENCE`` has a
    second-person word (``SECOND_PERSON``) among the 3 words before it or the
    word right after it ("you liar", "your pathetic party", "shame on you").
    """
    sia = sentiment_analyzer()
    neg = max(0.0, -float(sia.polarity_scores(text)["compound"]))
    lex = sia.lexicon
    ws = _WORD_RE.findall(text.lower())
    targeted = False
    for i, w in enumerate(ws):
        if lex.get(w, 0.0) <= NEGATIVE_VALENCE and any(
            ws[j] in SECOND_PERSON for j in range(max(0, i - 3), min(len(ws), i + 2)) if j != i
        ):
            targeted = True
            break
    return neg, targeted


class AbuseRule:
    """TOXIC: REJECT at reject score >= ctx.abuse_reject_score, HOLD at hold
    score >= ctx.abuse_hold_score (see module doc). ``score`` is the hold
    score; details give every part. Spans: the abusive words found."""

    name = "abuse"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See class doc."""
        return self.check_batch([text], [ctx])[0]

    def check_batch(self, texts: Sequence[str], ctxs: Sequence[CheckContext]) -> list[RuleResult]:
        """Like :meth:`check` for many texts with one model call."""
        predict = profanity_predict_prob()
        all_names = [(*c.thread_names, *c.story_author_names, *c.story_names) for c in ctxs]
        masked = [masked_for_model(t, nm) for t, nm in zip(texts, all_names, strict=True)]
        probs = predict(masked) if masked else []
        out = []
        for text, ctx, p, names, model_text in zip(
            texts, ctxs, probs, all_names, masked, strict=True
        ):
            hits = lexicon_hits(text, names)
            p_lex = lexicon_score(hits)
            reject_score = combine(float(p), p_lex)
            neg, targeted = negativity(model_text)
            score = round(
                min(
                    1.0,
                    reject_score
                    + NEGATIVITY_WEIGHT * neg
                    + (TARGETED_NEGATIVE_WEIGHT if targeted else 0.0),
                ),
                4,
            )
            details = {
                "model": round(float(p), 4),
                "lexicon": round(p_lex, 4),
                "negativity": round(neg, 4),
                "targeted_negative": targeted,
                "reject_score": round(reject_score, 4),
            }
            spans = [h.span for h in hits]
            if reject_score >= ctx.abuse_reject_score:
                out.append(
                    RuleResult(
                        self.name,
                        Decision.REJECT,
                        ReasonCode.TOXIC,
                        "Comments cannot be abusive. Please remove the insults or "
                        "offensive language and make your point about the story.",
                        score=score,
                        spans=spans,
                        details=details,
                    )
                )
            elif score >= ctx.abuse_hold_score:
                out.append(
                    RuleResult(
                        self.name,
                        Decision.HOLD,
                        ReasonCode.TOXIC,
                        "Your comment may be abusive, so a moderator will read it "
                        "before it appears.",
                        score=score,
                        spans=spans,
                        details=details,
                    )
                )
            else:
                out.append(RuleResult(self.name, score=score, details=details))
        return out
