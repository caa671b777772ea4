"""What the site search looks for: the reader's text bounded to a few words.

Every term is matched against the search index with ``AND``, so the work grows with the
number of terms (a 60-word query took seconds of CPU on SQLite). :func:`bound_query`
keeps the first :data:`MAX_TERMS` words of two or more characters within
:data:`MAX_QUERY_LENGTH` characters and says what it left out, so the reader knows
what was searched for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 100
MAX_TERMS = 10
MIN_TERM_LENGTH = 2
# Words in nearly every story: each costs a scan of most of the index and narrows an AND
# search by nothing (PostgreSQL's English configuration drops them too). Left out unless
# the query holds nothing else.
STOP_WORDS = frozenset(
    "a an and are as at be but by for from has had have he her his in is it its of on or"
    " that the their they this to was we were with you".split()
)
# Quotes and search-syntax characters are not operators here; an unbalanced quote
# would otherwise reach the SQLite full-text parser as a syntax error.
_NOT_SEARCH_SYNTAX = str.maketrans(dict.fromkeys('"*^():{}[]+-~\\', " "))


@dataclass(frozen=True, slots=True)
class BoundedQuery:
    """``text`` to search for (empty: nothing to search) and ``notes`` for the reader."""

    text: str
    notes: list[str] = field(default_factory=list)


def bound_query(raw: str) -> BoundedQuery:
    """Clean ``raw`` and keep at most :data:`MAX_TERMS` words and :data:`MAX_QUERY_LENGTH`
    characters, leaving out one-letter words, repeats and (when other words remain)
    :data:`STOP_WORDS`; words are never cut in half."""
    # Control characters (NUL among them, which PostgreSQL refuses) are never part of a query.
    text = "".join(ch for ch in raw if ch.isprintable()).translate(_NOT_SEARCH_SYNTAX)
    words = text.split()
    notes: list[str] = []
    if any(len(w) < MIN_TERM_LENGTH for w in words):
        notes.append("Words of one letter were left out.")
    # A word again adds nothing to an AND search: keep its first use only.
    seen: set[str] = set()
    terms: list[str] = []
    for word in words:
        if len(word) >= MIN_TERM_LENGTH and word.casefold() not in seen:
            seen.add(word.casefold())
            terms.append(word)
    content = [t for t in terms if t.casefold() not in STOP_WORDS]
    if content and len(content) < len(terms):
        notes.append("Common words such as “the” were left out.")
        terms = content
    kept: list[str] = []
    length = 0
    for term in terms[:MAX_TERMS]:
        added = len(term) + (1 if kept else 0)
        if length + added > MAX_QUERY_LENGTH:
            break
        kept.append(term)
        length += added
    if not kept and terms:  # one very long word: its first characters
        kept.append(terms[0][:MAX_QUERY_LENGTH])
    if len(kept) < len(terms) or (kept and kept[0] != terms[0]):
        if len(kept) == MAX_TERMS:
            notes.append(f"Searched for the first {MAX_TERMS} words.")
        else:
            notes.append(f"Searched for the first {MAX_QUERY_LENGTH} characters.")
    return BoundedQuery(" ".join(kept), notes)
