"""Violent wishes and incitement (VIOLENT_SPEECH).

Two levels, each a small list of patterns (our own writing):

* *extermination* -- people "should be wiped out / exterminated / eradicated",
  "kill them all", "should all be shot": REJECT;
* *violent wishes* -- a person or group "should be hanged / shot / lynched /
  killed", "deserves to die", "I hope he dies", "someone should shoot him":
  HOLD for a moderator (comments on the death penalty for a convicted
  criminal read the same, so a person decides).

A wish also REJECTS when the same comment calls people animals or vermin
(``dehumanising.dehumanising_matches``): "These people are animals and should
be hanged." The wish must be about people: the sentence has a person or group
word or a proper name among the words just before it or in it
(``targets.names_people``), or a capitalised subject ("Modi should be..."), so "the debt should be wiped out" and "the
film was shot in Mumbai" pass.
"""

from __future__ import annotations

import re

from ..base import CheckContext, Decision, ReasonCode, RuleResult, Span
from ..models import english_vocabulary, word_list
from .dehumanising import dehumanising_matches
from .targets import ANIMALS, names_people, person_words, sentences

_MODAL = r"(?:should|must|need\s+to|needs\s+to|ought\s+to|have\s+to|has\s+to|deserve\s+to|deserves\s+to|will|shall|gotta|gonna|to)"
_ALL = r"(?:\s+all|\s+just|\s+simply|\s+publicly|\s+immediately|\s+now)*"
EXTERMINATE = re.compile(
    rf"\b{_MODAL}{_ALL}\s+be{_ALL}\s+(?:wiped\s+(?:out|off)|exterminated|eradicated|annihilated|"
    r"eliminated|massacred|slaughtered|gassed|exterminate|wiped\s+off\s+the\s+(?:map|earth|face))\b"
    r"|\b(?:kill|shoot|hang|slaughter|burn|exterminate|wipe\s+out|eliminate|finish)\s+"
    r"(?:them|these\s+\w+|those\s+\w+|every\s+(?:one|last|single)\b[\w\s]{0,12}|all\s+of\s+them)\s+all\b"
    r"|\b(?:kill|shoot|hang|slaughter|exterminate)\s+(?:all|every)\s+(?:of\s+)?(?:the\s+)?\w+"
    r"|\bwipe\s+(?:them|these\s+\w+|those\s+\w+)\s+(?:out|off)\b"
    r"|\b(?:should|must)\s+all\s+be\s+(?:killed|shot|hanged|hung|burnt|burned|lynched|executed|butchered)\b"
    r"|\bgenocide\s+(?:them|is\s+the\s+(?:answer|solution))\b",
    re.IGNORECASE,
)
WISH = re.compile(
    rf"\b{_MODAL}{_ALL}\s+be{_ALL}\s+(?:hanged|hung|shot|killed|lynched|beaten(?:\s+to\s+death)?|"
    r"burnt(?:\s+alive)?|burned(?:\s+alive)?|stoned(?:\s+to\s+death)?|executed|beheaded|"
    r"butchered|murdered|put\s+down|strung\s+up|shot\s+dead|thrashed|tortured)\b"
    r"|\bdeserves?\s+to\s+(?:die|be\s+dead|rot|burn)\b"
    r"|\b(?:hope|wish|pray)\s+(?:that\s+)?(?:he|she|they|you|u|he's|she's|they're)\s+"
    r"(?:dies?|gets?\s+(?:killed|shot|raped|hanged)|burns?|rots?\s+in\s+hell|is\s+killed|are\s+killed)\b"
    r"|\bsomeone\s+(?:should|needs\s+to|must)\s+(?:shoot|kill|hang|lynch|stab|behead)\b"
    r"|\b(?:shoot|hang|lynch|kill|behead|stone)\s+(?:him|her|them|these|those)\b",
    re.IGNORECASE,
)


#: Words before a match that are read for its subject.
SUBJECT_WORDS = 5
#: Capitalised words right before a match that are not a person's name.
NOT_SUBJECTS = frozenset(
    "the this that it a an our my your their his its i we there here what which".split()
)


def _named_subject(before: list[str]) -> bool:
    """The last two words before a match hold a person's name: a capitalised
    word that is in the name lists, or is not a common English word, or does
    not start the sentence ("Modi should be...", "and Rahul must be...")."""
    vocab = english_vocabulary()
    names = word_list("person_names") | word_list("place_names")
    start = len(before) <= 2
    for i, raw in enumerate(before[-2:]):
        w = raw.strip(".,;:!?\"'()")
        lw = w.lower()
        if not w[:1].isupper() or lw in NOT_SUBJECTS:
            continue
        first = start and i == 0 and len(before) <= 2 and before[0] == raw
        if lw in names or lw not in vocab or not first:
            return True
    return False


def _people_matches(rx: re.Pattern[str], text: str) -> list[Span]:
    """Matches of ``rx`` whose subject (the match and the ``SUBJECT_WORDS``
    words before it, within the sentence) names people."""
    out = []
    for start, sentence in sentences(text):
        for m in rx.finditer(sentence):
            before = sentence[: m.start()].split()[-SUBJECT_WORDS:]
            if any(
                w.strip(".,;:!?\"'()").lower() in ANIMALS for w in before[-2:]
            ) and not person_words(" ".join(before)):
                continue  # "cows should be slaughtered": animals, not people
            if names_people(" ".join([*before, m.group()])) or _named_subject(before):
                out.append(Span(start + m.start(), start + m.end(), m.group()))
    return out


class ViolenceRule:
    """VIOLENT_SPEECH: REJECT extermination (or a wish beside dehumanising
    words), HOLD other violent wishes (see module doc). Spans: the phrases."""

    name = "violence"

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See module doc."""
        exterminate = _people_matches(EXTERMINATE, text)
        wishes = _people_matches(WISH, text)
        if not exterminate and not wishes:
            return RuleResult(self.name)
        dehumanised = bool(dehumanising_matches(text))
        spans = sorted(exterminate + wishes, key=lambda s: s.start)
        details = {
            "extermination": len(exterminate),
            "wishes": len(wishes),
            "dehumanising": dehumanised,
        }
        if exterminate or dehumanised:
            return RuleResult(
                self.name,
                Decision.REJECT,
                ReasonCode.VIOLENT_SPEECH,
                "Comments cannot call for people to be killed or wiped out. "
                "Please remove that and make your point about the story.",
                spans=spans,
                details=details,
            )
        return RuleResult(
            self.name,
            Decision.HOLD,
            ReasonCode.VIOLENT_SPEECH,
            "Your comment wishes violence on someone, so a moderator will read it "
            "before it appears.",
            spans=spans,
            details=details,
        )
