"""Build ``guidelines/data/person_names.txt``: given names and surnames that the
masking step (``guidelines/masking.py``) treats as proper names.

Run from the repository root after installing the two source packages (build
time only; the product reads the text file, not the packages)::

    .venv/bin/pip install names==0.3.0 faker==40.54.0
    .venv/bin/python -m masthead.moderation.training.build_names

Sources (see ``guidelines/data/README.md``):

* ``names`` 0.3.0 (MIT): ships the US Census Bureau's 1990 name frequency
  files ``dist.male.first``, ``dist.female.first`` and ``dist.all.last``
  (US government work, public domain). All given names are kept; surnames up
  to ``SURNAME_CUMULATIVE`` percent of the population (the common ones).
* ``faker`` 40.54.0 (MIT): the ``en_IN`` person provider's Indian given names
  and surnames.

The output is sorted, lower case, one name per line, deterministic.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "guidelines" / "data" / "person_names.txt"
#: Census surnames are kept until this cumulative share (percent) is reached.
SURNAME_CUMULATIVE = 75.0

HEADER = """\
# Given names and surnames for masking (lower case, one per line).
# Built by masthead/moderation/training/build_names.py -- do not edit by hand.
# Sources: US Census 1990 name files (public domain) via the `names` 0.3.0
# package (MIT); Indian names from Faker 40.54.0's en_IN provider (MIT).
"""


def census_names() -> set[str]:
    """Given names and common surnames from the ``names`` package's Census files."""
    out: set[str] = set()
    pkg = resources.files("names")
    for fname in ("dist.male.first", "dist.female.first"):
        for line in pkg.joinpath(fname).read_text("utf-8").splitlines():
            if line.split():
                out.add(line.split()[0].lower())
    for line in pkg.joinpath("dist.all.last").read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3:
            out.add(parts[0].lower())
            if float(parts[2]) >= SURNAME_CUMULATIVE:
                break
    return out


def faker_indian_names() -> set[str]:
    """Given names and surnames of Faker's ``en_IN`` person provider."""
    from faker.providers.person.en_IN import Provider

    out: set[str] = set()
    for seq in (Provider.first_names_male, Provider.first_names_female, Provider.last_names):
        for name in seq:
            for part in name.split():
                if part.isalpha() and part.isascii():
                    out.add(part.lower())
    return out


def build() -> str:
    """The file's text."""
    names = sorted(n for n in census_names() | faker_indian_names() if len(n) >= 2)
    return HEADER + "\n".join(names) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the file, or with ``--check`` compare the shipped file with a fresh build."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare, do not write")
    args = ap.parse_args(argv)
    text = build()
    if args.check:
        same = OUT.read_text("utf-8") == text
        print("person_names.txt is up to date" if same else "person_names.txt differs")  # noqa: T201
        return 0 if same else 1
    OUT.write_text(text, "utf-8")
    print(f"wrote {OUT} ({text.count(chr(10)) - HEADER.count(chr(10))} names)")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
