"""Put the active site model into the engine (``guidelines.rules.site_model``'s registry).

Each process checks the database for the active version at most every
``MASTHEAD_GUIDELINES_REFRESH_SECONDS`` (default 5) and loads a changed one; promote,
rollback and threshold changes refresh this process at once (:func:`active_changed`).
A missing or corrupt file is logged and the base model decides: a comment check never
fails because of the site model.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from django.conf import settings

from masthead.moderation.guidelines.pipeline import DEFAULT_RULES
from masthead.moderation.guidelines.rules import site_model

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_state: dict[str, object] = {"checked": float("-inf"), "stamp": None}


def _refresh_seconds() -> float:
    return float(getattr(settings, "MASTHEAD_GUIDELINES_REFRESH_SECONDS", 5.0))


def refresh(force: bool = False) -> None:
    """Load the active version when it changed (or ``force``); never raises."""
    now = time.monotonic()
    if not force and now - float(_state["checked"]) < _refresh_seconds():  # type: ignore[arg-type]
        return
    with _lock:
        if not force and now - float(_state["checked"]) < _refresh_seconds():  # type: ignore[arg-type]
            return
        _state["checked"] = now
        try:
            _load_active()
        except Exception:  # noqa: BLE001 - the base model must keep deciding
            logger.exception("could not read the active guidelines model; the base model decides")
            site_model.install(None)
            _state["stamp"] = None


def _load_active() -> None:
    from masthead.moderation.learning import versions

    active = versions.active_version()
    if active is None:
        site_model.install(None)
        _state["stamp"] = None
        return
    stamp = (active.pk, active.sha256, repr(sorted(active.thresholds.items())))
    if stamp == _state["stamp"]:
        return
    try:
        model = versions.load_model(active)
    except versions.ModelFileError as exc:
        logger.error("guidelines model %s not used, the base model decides: %s", active.name, exc)
        site_model.install(None)
    else:
        site_model.install(model, active.name, active.thresholds)
    _state["stamp"] = stamp  # a broken file is not re-read on every check


def active_changed() -> None:
    """Reload now (after promote, rollback or a threshold change)."""
    _state["stamp"] = None
    refresh(force=True)


def check_rules(rules: Sequence[str] = DEFAULT_RULES) -> tuple[str, ...]:
    """The rule list for a check: ``rules`` with the site model in place of the base abuse
    rule while a site model is active, else ``rules`` unchanged."""
    refresh()
    if site_model.installed() is None:
        return tuple(rules)
    return site_model.site_rules(rules)


def model_version() -> str:
    """Name of the model deciding now ("base" without a site model)."""
    refresh()
    current = site_model.installed()
    return current.version if current is not None else "base"


def score_texts(texts: Sequence[str]) -> list[dict[str, float]]:
    """The active site model's ``{label: probability}`` per text ({} each without one)."""
    from masthead.moderation.guidelines.base import CheckContext
    from masthead.moderation.guidelines.rules.abuse import AbuseRule

    refresh()
    current = site_model.installed()
    if current is None:
        return [{} for _ in texts]
    ctx = CheckContext()
    base = AbuseRule().check_batch(list(texts), [ctx] * len(texts))
    return current.model.predict_scores(list(texts), [site_model.base_features(r) for r in base])
