"""Build ``guidelines/data/romanized_hindi_model.json.gz`` (romanized Hindi vs
English naive-Bayes n-gram model, see ``guidelines/romanized.py``).

Run from the repository root::

    .venv/bin/python -m masthead.moderation.training.train_language [--check]

``--check`` rebuilds the model in memory and exits 1 if it differs from the
shipped file (the test suite does the same). Deterministic: same inputs, same
bytes.

Training data -- only sources whose licences allow shipping a model:
    * ``$MASTHEAD_SHARED_DATA/data/langid/lingua_sentences_{hi,mr,en}.txt`` --
      lingua-py test sentences, Apache-2.0;
    * ``$MASTHEAD_SHARED_DATA/data/toxicity/davidson_labeled_data.csv`` -- Davidson
      et al. 2017 tweets, MIT (all classes; they are all English);
    * wordfreq's Hindi word list (installed with the ``wordfreq`` package);
    * our own lists ``guidelines/data/hinglish_words.txt`` and
      ``indian_english.txt``.
TRAC-1, L3Cube, Swami and OLID are NOT used (non-commercial / unclear
licences); they are evaluation data only.

Needs ``indic-transliteration`` (MIT; in the ``dev`` extra) at training time
only; the product loads the JSON file and needs nothing but the standard
library.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import random
import re
import sys
from collections import Counter
from pathlib import Path

from ..evaluate import data_dir
from ..guidelines.models import word_list
from ..guidelines.romanized import MAX_N, MODEL_FILE, ngrams, words

OUT = Path(__file__).resolve().parents[1] / "guidelines" / "data" / MODEL_FILE
SEED = 20261129
MIN_COUNT = 3
ALPHA = 1.0
VOWELS = "aAiIuUeEoO"
_V = f"[{VOWELS}]"
_C = f"[^{VOWELS}]"
MEDIAL_SCHWA = re.compile(rf"({_V})({_C}{{1,3}})a({_C}{{1,3}})(?={_V})")
URL_RE = re.compile(r"https?://\S+|@\w+|&\w+;|#\w+|\bRT\b")


def delete_schwa(w: str) -> str:
    """Hindi schwa deletion on an OPTITRANS word (long vowels are capitals, so
    a lower-case ``a`` after a consonant is the inherent vowel): drop it at
    the end of a word of two or more syllables and in V C a C V (right to left,
    once per position). Source: the usual rule of thumb (Ohala 1983; Choudhury
    & Basu 2002), simplified."""
    if sum(c in VOWELS for c in w) >= 2 and len(w) > 2 and w[-1] == "a" and w[-2] not in VOWELS:
        w = w[:-1]
    prev = None
    while prev != w:
        prev = w
        ms = list(MEDIAL_SCHWA.finditer(w))
        if not ms:
            break
        m = ms[-1]
        w = w[: m.start()] + m.group(1) + m.group(2) + m.group(3) + w[m.end() :]
    return w


def casual(w: str, rnd: random.Random) -> str:
    """Lower-case an OPTITRANS word the way people type Hinglish, with random
    spelling variants (aa/a, ee/i, oo/u, w/v, n/m for the anusvara)."""
    long_a = "aa" if rnd.random() < 0.3 else "a"
    long_i = "ee" if rnd.random() < 0.3 else "i"
    long_u = "oo" if rnd.random() < 0.3 else "u"
    rep = [
        ("chh", "chh" if rnd.random() < 0.5 else "ch"),
        ("~N", "n"),
        ("~n", "n"),
        (".N", "n"),
        ("M", "n" if rnd.random() < 0.8 else "m"),
        ("H", "h"),
        ("RRi", "ri"),
        ("R^i", "ri"),
        ("R", "ri"),
        ("Sh", "sh"),
        ("A", long_a),
        ("I", long_i),
        ("U", long_u),
        ("ai", "ai" if rnd.random() < 0.8 else "e"),
        ("v", "w" if rnd.random() < 0.3 else "v"),
        ("E", "e"),
        ("O", "o"),
    ]
    for a, b in rep:
        w = w.replace(a, b)
    w = w.lower()
    if rnd.random() < 0.15 and len(w) > 3:  # vowel-dropping text style ("nhi", "krna")
        w = w[0] + re.sub(r"(?<=[^aeiou])a(?=[^aeiou])", "", w[1:], count=1)
    return re.sub(r"[^a-z]", "", w)


def romanize(text: str, rnd: random.Random) -> list[str]:
    """Devanagari ``text`` -> casual Latin words (other scripts pass through)."""
    from indic_transliteration import sanscript

    opt = sanscript.transliterate(text, sanscript.DEVANAGARI, sanscript.OPTITRANS)
    out = []
    for tok in re.findall(r"[A-Za-z~.^]+", opt):
        tok = tok.strip(".^~")
        if not tok:
            continue
        out.append(casual(delete_schwa(tok), rnd))
    return [w for w in out if w]


def read_lines(name: str) -> list[str]:
    """Lines of ``langid/<name>``; raises FileNotFoundError with a clear message."""
    p = data_dir() / "langid" / name
    if not p.exists():
        raise FileNotFoundError(f"training needs {p} (set MASTHEAD_SHARED_DATA)")
    return [ln.strip() for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]


def training_documents() -> tuple[list[list[str]], list[list[str]]]:
    """``(hindi_docs, english_docs)``: lists of word lists."""
    from wordfreq import top_n_list

    rnd = random.Random(SEED)
    hi: list[list[str]] = []
    for lang, copies in (("hi", 4), ("mr", 1)):
        for s in read_lines(f"lingua_sentences_{lang}.txt"):
            for _ in range(copies):
                ws = romanize(s, rnd)
                if ws:
                    hi.append(ws)
    hi_words = top_n_list("hi", 5000)
    for _ in range(2):
        for i in range(0, len(hi_words), 8):
            ws = [w for t in hi_words[i : i + 8] for w in romanize(t, rnd)]
            if ws:
                hi.append(ws)
    own = sorted(word_list("hinglish_words"))
    for _ in range(3):
        hi.append(own)
    en: list[list[str]] = []
    for s in read_lines("lingua_sentences_en.txt"):
        en.append(words(s))
    p = data_dir() / "toxicity" / "davidson_labeled_data.csv"
    if not p.exists():
        raise FileNotFoundError(f"training needs {p} (set MASTHEAD_SHARED_DATA)")
    with p.open(encoding="utf-8", errors="replace", newline="") as f:
        for r in csv.DictReader(f):
            ws = words(URL_RE.sub(" ", r["tweet"]))
            if ws:
                en.append(ws)
    en_top = top_n_list("en", 20000)
    for i in range(0, len(en_top), 10):
        en.append(en_top[i : i + 10])
    en.append(sorted(word_list("indian_english")) * 3)
    return hi, en


def train() -> dict:
    """Return the model as a JSON-able dict (see ``romanized.py``)."""
    hi, en = training_documents()
    c_hi: Counter[str] = Counter()
    c_en: Counter[str] = Counter()
    for d in hi:
        c_hi.update(ngrams(d, MAX_N))
    for d in en:
        c_en.update(ngrams(d, MAX_N))
    vocab = sorted(g for g in set(c_hi) | set(c_en) if c_hi[g] + c_en[g] >= MIN_COUNT)
    n_hi = sum(c_hi[g] for g in vocab) + ALPHA * len(vocab)
    n_en = sum(c_en[g] for g in vocab) + ALPHA * len(vocab)
    weights = {}
    for g in vocab:
        lr = math.log((c_hi[g] + ALPHA) / n_hi) - math.log((c_en[g] + ALPHA) / n_en)
        weights[g] = round(lr, 3)
    return {
        "format": "masthead-romanized-hindi-nb/1",
        "max_n": MAX_N,
        "meta": {
            "hindi_docs": len(hi),
            "english_docs": len(en),
            "min_count": MIN_COUNT,
            "alpha": ALPHA,
            "seed": SEED,
            "sources": "lingua-py sentences hi/mr/en (Apache-2.0); Davidson 2017 "
            "tweets (MIT); wordfreq hi/en lists; Masthead word lists",
        },
        "weights": weights,
    }


def serialise(model: dict) -> bytes:
    """Deterministic gzip'd JSON bytes (mtime 0, sorted keys)."""
    raw = json.dumps(model, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    """CLI: write the model, or ``--check`` it against the shipped file."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare, do not write")
    args = ap.parse_args(argv)
    blob = serialise(train())
    if args.check:
        same = OUT.exists() and OUT.read_bytes() == blob
        print("model file matches the training script" if same else "model file DIFFERS")  # noqa: T201
        return 0 if same else 1
    OUT.write_bytes(blob)
    print(f"wrote {OUT} ({len(blob)} bytes)")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
