"""Who a sentence is about: people and groups, for the violence and
dehumanisation rules. Our own word lists.

A violent wish or a dehumanising word matters when it is aimed at people
("they", "these people", "Muslims", "Modi", "you"), not at things ("the
debt should be wiped out", "corruption is a cancer").
"""

from __future__ import annotations

import re

from ..masking import mask
from ..models import english_vocabulary

#: Pronouns and phrases that point at people.
PERSON_PRONOUNS = frozenset(
    "he she they them him her you u ye these those who people everyone everybody anyone whoever "
    "guy guys man men woman women person persons folks fellow fellows".split()
)
#: Groups defined by who people are (religion, caste, origin, nationality,
#: sexuality): the targets of hate speech. Our own list.
IDENTITY_GROUPS = frozenset(
    """
    muslims muslim hindus hindu christians christian sikhs sikh jews jew jains buddhists
    dalits dalit adivasis tribals brahmins brahmin immigrants immigrant migrants migrant
    refugees refugee foreigners foreigner outsiders pakistanis pakistani indians indian
    bangladeshis bangladeshi rohingyas rohingya kashmiris kashmiri biharis bihari
    bengalis bengali tamils tamil punjabis marathis gujaratis northeasterners chinese
    africans african arabs arab blacks whites gays gay lesbians trans transgenders
    """.split()
)
#: Groups of people (identity, nationality, politics, roles). Our own list.
GROUPS = IDENTITY_GROUPS | frozenset(
    """
    liberals liberal leftists leftist libtards commies communists sanghis sanghi bhakts
    bhakt andhbhakts feminists feminazis atheists congressis congress bjp aap
    politicians politician leaders ministers journalists reporters media presstitutes
    protesters protestors rioters students farmers workers police cops soldiers army
    traitors traitor anti-nationals rapists rapist criminals terrorists
    """.split()
)
#: Animals: "cows should be slaughtered" is about food, not people.
ANIMALS = frozenset(
    "cow cows oxen ox bull bulls buffalo buffaloes cattle goat goats sheep pig pigs chicken "
    "chickens hen hens fish dog dogs stray strays cat cats animal animals beef meat mosquitoes "
    "rats monkeys snakes".split()
)
#: Demonstratives that make the next word a group ("these people", "those idiots").
DEMONSTRATIVES = frozenset("these those such all".split())
_WORD_RE = re.compile(r"[a-z][a-z'-]*")
_CAP_WORD_RE = re.compile(r"[A-Za-z][a-z]+")


def person_words(sentence: str) -> list[str]:
    """The words of ``sentence`` (lower case) that point at people or groups."""
    ws = _WORD_RE.findall(sentence.lower())
    out = [w for w in ws if w in PERSON_PRONOUNS or w in GROUPS]
    out += [ws[i + 1] for i, w in enumerate(ws[:-1]) if w in DEMONSTRATIVES]
    return out


def names_people(words: str) -> bool:
    """True when ``words`` name people: a person or group word, an @handle, a
    proper name found by ``masking.mask``, or a capitalised word that is not
    a common English word ("Modi should be ...")."""
    if person_words(words):
        return True
    if any(s.kind in ("name", "handle") for s in mask(words).spans):
        return True
    vocab = english_vocabulary()
    return any(w[:1].isupper() and w.lower() not in vocab for w in _CAP_WORD_RE.findall(words))


SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?\n]*")


def sentences(text: str) -> list[tuple[int, str]]:
    """``(start offset, sentence)`` pairs of ``text``."""
    return [(m.start(), m.group()) for m in SENTENCE_RE.finditer(text)]
