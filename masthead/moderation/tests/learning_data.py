"""Small synthetic decision sets for the training tests (no shared data needed)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from masthead.moderation.learning.store import record_decision

SUBJECTS = ["The council", "The minister", "Our mayor", "The committee", "The board", "The city"]
VERBS = ["should publish", "must explain", "has to review", "ought to debate", "will decide"]
OBJECTS = [
    "the budget figures",
    "the new bus routes",
    "the school plan",
    "the flood defences",
    "the hospital report",
    "the library hours",
]
PRODUCTS = ["watches", "handbags", "sunglasses", "perfume", "sneakers", "jewellery"]
SHOPS = ["online store", "warehouse outlet", "discount shop", "mega sale", "clearance event"]


def acceptable(rng: random.Random) -> str:
    """An ordinary comment on the story."""
    return (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} before the vote "
        f"next {rng.choice(['week', 'month', 'year'])}, in my view."
    )


def spam(rng: random.Random) -> str:
    """An advert the base engine has no rule for."""
    return (
        f"Great deals on cheap {rng.choice(PRODUCTS)} and {rng.choice(PRODUCTS)} are waiting "
        f"for you at our {rng.choice(SHOPS)} today, so order now."
    )


def record_synthetic(
    n: int, *, seed: int = 1, labels: tuple[str, ...] = ("acceptable", "spam")
) -> None:
    """Record ``n`` decisions, one a minute, alternating between ``labels`` at random."""
    rng = random.Random(seed)
    start = timezone.now() - timedelta(minutes=n + 1)
    for i in range(n):
        label = rng.choice(labels)
        text = spam(rng) if label == "spam" else acceptable(rng)
        record_decision(
            text, label, "file", decided_at=start + timedelta(minutes=i), schedule=False
        )
