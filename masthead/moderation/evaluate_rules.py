"""Evaluation rows for names, handles, hashtags and Hinglish (see ``evaluate``).

Rows added to ``manage.py eval_guidelines``:

* ``language | hinglid-test``: L3Cube-HingLID test tweets (romanized Hinglish,
  token-labelled; 5+ tokens) -- the share rejected as not English, target
  >= 0.97. A second row keeps only tweets whose tokens are mostly Hindi.
* ``language | olid NOT (tweets)``: OLID tweets labelled NOT (acceptable English
  with @USER handles, #hashtags and URLs) -- the share kept, target >= 0.99.
* ``language | trac1-en-dev NAG english``: TRAC-1 English dev, acceptable
  comments, leaving out those with independent evidence of Hindi (Devanagari
  letters or 3+ words of our Hinglish function-word list) -- share kept.
* ``abuse (whole pipeline)``: TRAC-1 en dev OAG vs NAG and OLID OFF vs NOT,
  counting a comment as flagged when the default pipeline holds or rejects
  it for an abuse reason (``ABUSE_CODES``: the model/lexicon rule and the
  small explainable rules), not for language or form.
* ``pipeline | names set``: our own sentences naming real people and places with
  rude-looking substrings (``tests/data/names_sentences.txt``), run through the
  whole default pipeline: share published, target 1.0.

No constant was set on these sets: HingLID and OLID are test-only here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .guidelines import CheckContext, Decision, ReasonCode, check_batch
from .guidelines.rules.language import LanguageRule

NAMES_SET = Path(__file__).resolve().parent / "tests" / "data" / "names_sentences.txt"
DEVANAGARI_RE = re.compile(r"[\u0900-\u097f]")


ABUSE_CODES = frozenset(
    {
        ReasonCode.TOXIC,
        ReasonCode.PERSONAL_ATTACK,
        ReasonCode.VIOLENT_SPEECH,
        ReasonCode.DEHUMANISING,
        ReasonCode.DODGED_SWEARING,
        ReasonCode.REPETITION,
    }
)


def _pipeline_abuse_row(name: str, data: list[tuple[str, str]], pos: str) -> dict[str, Any]:
    """F1 of "held or rejected for an abuse reason" by the whole pipeline."""
    verdicts = check_batch([t for t, _ in data])
    y = [lab == pos for _, lab in data]
    flagged = [bool(ABUSE_CODES & set(v.reasons)) for v in verdicts]
    tp = sum(a and b for a, b in zip(y, flagged, strict=True))
    fp = sum(b and not a for a, b in zip(y, flagged, strict=True))
    fn = sum(a and not b for a, b in zip(y, flagged, strict=True))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    by_code: dict[str, int] = {}
    for v, a in zip(verdicts, y, strict=True):
        for c in ABUSE_CODES & set(v.reasons):
            key = f"{c.value}:{'abusive' if a else 'acceptable'}"
            by_code[key] = by_code.get(key, 0) + 1
    return {
        "rule": "abuse (whole pipeline)",
        "dataset": name,
        "n": len(y),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": len(y) - tp - fp - fn,
        "precision": p,
        "recall": r,
        "f1": f,
        "note": "flags by reason: " + ", ".join(f"{k} {n}" for k, n in sorted(by_code.items())),
    }


def read_hinglid(data_dir: Path) -> list[tuple[str, float]] | None:
    """HingLID test -> ``[(tweet text, share of HI tokens)]``, None if absent."""
    p = data_dir / "langid" / "l3cube_HingLID_test.txt"
    if not p.exists():
        return None
    out: list[tuple[str, float]] = []
    toks: list[tuple[str, str]] = []
    for line in [*p.read_text("utf-8", errors="replace").splitlines(), ""]:
        if not line.strip():
            if toks:
                hi = sum(1 for _, lab in toks if lab == "HI")
                out.append((" ".join(t for t, _ in toks), hi / len(toks)))
            toks = []
            continue
        tok, _, lab = line.partition("\t")
        toks.append((tok, lab.strip()))
    return out


def read_names_set(path: Path = NAMES_SET) -> list[str]:
    """Sentences of our names set (one per line, '#' lines are comments)."""
    return [
        ln.strip()
        for ln in path.read_text("utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]


def _rejects(texts: list[str]) -> list[bool]:
    rule, ctx = LanguageRule(), CheckContext()
    return [rule.check(t, ctx).decision == Decision.REJECT for t in texts]


def _rate_row(
    dataset: str, texts: list[str], want_reject: bool, goal: float, note: str = ""
) -> dict[str, Any]:
    pred = _rejects(texts)
    rate = sum(pred) / max(1, len(pred))
    value = rate if want_reject else 1 - rate
    key = "reject_rate" if want_reject else "keep_rate"
    row: dict[str, Any] = {"rule": "language", "dataset": dataset, "n": len(texts), key: value}
    row.update(target=f"{key} >= {goal:g}", value=value, met=value >= goal)
    misses = [t for t, p in zip(texts, pred, strict=True) if p != want_reject][:3]
    row["note"] = (
        (note + "; " if note else "") + "examples missed: " + " | ".join(m[:90] for m in misses)
    )
    return row


def rows(
    data_dir: Path, read_trac: Any, read_olid: Any, hinglish_words: frozenset[str]
) -> list[dict[str, Any]]:
    """The rows described in the module doc (sets that are absent are skipped)."""
    out: list[dict[str, Any]] = []
    hl = read_hinglid(data_dir)
    if hl is not None:
        long = [(t, s) for t, s in hl if len(t.split()) >= 5]
        out.append(_rate_row("hinglid-test", [t for t, _ in long], True, 0.97))
        mostly = [t for t, s in long if s >= 0.5]
        out.append(_rate_row("hinglid-test HI >= 50%", mostly, True, 0.97))
    olid = read_olid()
    if olid is not None:
        texts = [t for t, lab in olid if lab == "NOT" and len(t.split()) >= 5]
        out.append(_rate_row("olid NOT (tweets)", texts, False, 0.99, "@USER, #tags, URL"))
    dev = read_trac("trac1_agr_en_dev.csv")
    if dev is not None:
        nag = [t for t, lab in dev if lab == "NAG" and len(t.split()) >= 5]
        english = [
            t
            for t in nag
            if not DEVANAGARI_RE.search(t)
            and sum(w in hinglish_words for w in re.findall(r"[a-z]+", t.lower())) < 3
        ]
        out.append(
            _rate_row(
                "trac1-en-dev NAG english",
                english,
                False,
                0.99,
                f"{len(nag) - len(english)} of {len(nag)} left out as Hindi by independent evidence",
            )
        )
    if dev is not None:
        pairs = [(t, lab) for t, lab in dev if lab in ("OAG", "NAG") and len(t.split()) >= 5]
        out.append(_pipeline_abuse_row("trac1-en-dev OAG vs NAG", pairs, "OAG"))
    if olid is not None:
        pairs = [(t, lab) for t, lab in olid if lab in ("OFF", "NOT") and len(t.split()) >= 5]
        out.append(_pipeline_abuse_row("olid OFF vs NOT", pairs, "OFF"))
    if NAMES_SET.exists():
        texts = read_names_set()
        verdicts = check_batch(texts)
        pub = [v.decision == Decision.PUBLISH for v in verdicts]
        rate = sum(pub) / max(1, len(pub))
        bad = [
            f"{t[:70]} -> {v.decision} {','.join(c.value for c in v.reasons)}"
            for t, v in zip(texts, verdicts, strict=True)
            if v.decision != Decision.PUBLISH
        ]
        out.append(
            {
                "rule": "pipeline",
                "dataset": "names set (published)",
                "n": len(texts),
                "keep_rate": rate,
                "target": "published = 1",
                "value": rate,
                "met": rate == 1.0,
                "note": "not published: " + (" | ".join(bad[:5]) or "none"),
            }
        )
    return out
