"""Model versions: files under the data dir, the active version, promote, rollback, thresholds.

A version's file is written only by :func:`save_model_file` and read only by
:func:`load_model`, which checks the file's SHA-256 against the database row before
unpickling it (we never unpickle a file we did not write). A missing or changed file
raises :class:`ModelFileError`; :mod:`.runtime` then logs it and the base model decides.

Errors for the admin: :class:`VersionError` (a ``ValueError``) with a message to show.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from masthead.moderation.learning.models import GuidelineModelVersion

logger = logging.getLogger(__name__)

#: Name of the shipped base model in logs, verdicts and the admin.
BASE_NAME = "base"


class VersionError(ValueError):
    """Bad promote/rollback/threshold request; ``str(error)`` is for the moderator."""


class ModelFileError(RuntimeError):
    """A version's file is missing, unreadable or not the file we wrote."""


def models_dir() -> Path:
    """``MASTHEAD_DATA_DIR/guidelines_models`` (``MASTHEAD_GUIDELINES_MODELS_DIR`` overrides)."""
    configured = getattr(settings, "MASTHEAD_GUIDELINES_MODELS_DIR", None)
    path = Path(configured) if configured else Path(settings.DATA_DIR) / "guidelines_models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of the file at ``path``."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_model_file(model: Any, name: str) -> tuple[str, str]:
    """Write ``model`` with joblib as ``<models_dir>/<name>.joblib``; returns
    ``(file name, sha256)`` for the version row."""
    import joblib

    file_name = f"{name}.joblib"
    path = models_dir() / file_name
    tmp = path.with_suffix(".tmp")
    joblib.dump(model, tmp, compress=3)
    tmp.replace(path)
    return file_name, sha256_of(path)


def load_model(version: GuidelineModelVersion) -> Any:
    """The model object of ``version``; raises :class:`ModelFileError` when the file is
    missing or its SHA-256 differs from the row's (nothing is unpickled then)."""
    import joblib

    path = models_dir() / Path(version.file_name).name
    if not path.is_file():
        raise ModelFileError(f"model file {path} of version {version.name} is missing")
    digest = sha256_of(path)
    if digest != version.sha256:
        raise ModelFileError(
            f"model file {path} of version {version.name} has changed (sha256 {digest[:12]}…"
            f" is not {version.sha256[:12]}…); not loading it"
        )
    try:
        return joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - a file we wrote but cannot read is unusable
        raise ModelFileError(f"model file {path} of version {version.name}: {exc}") from exc


def active_version() -> GuidelineModelVersion | None:
    """The promoted site model deciding new comments, or None (the base model decides)."""
    return GuidelineModelVersion.objects.filter(is_active=True).first()


def active_name() -> str:
    """The active version's name, or ``"base"``."""
    v = active_version()
    return v.name if v is not None else BASE_NAME


def next_version_name() -> str:
    """``site-<n>``: one more than the highest number used so far."""
    numbers = [
        int(n.split("-", 1)[1])
        for n in GuidelineModelVersion.objects.values_list("name", flat=True)
        if n.startswith("site-") and n.split("-", 1)[1].isdigit()
    ]
    return f"site-{max(numbers, default=0) + 1}"


def _log(actor: Any | None, action: str, reason: str, details: dict[str, Any]) -> None:
    from masthead.moderation.services import log_decision

    log_decision(actor, action, reason=reason, details=details)


def _changed() -> None:
    from masthead.moderation.learning.runtime import active_changed

    transaction.on_commit(active_changed)


def promote(
    version: GuidelineModelVersion | int, actor: Any | None = None
) -> GuidelineModelVersion:
    """Make ``version`` the model deciding new comments (logged). Raises VersionError when
    it does not exist, is already active, or its file is missing or changed."""
    from masthead.moderation.models import DecisionAction

    pk = version.pk if isinstance(version, GuidelineModelVersion) else int(version)
    with transaction.atomic():
        target = GuidelineModelVersion.objects.select_for_update().filter(pk=pk).first()
        if target is None:
            raise VersionError("That model version does not exist.")
        if target.is_active:
            raise VersionError(f"{target.name} is already the model in use.")
        try:
            load_model(target)
        except ModelFileError as exc:
            raise VersionError(f"{target.name} cannot be used: {exc}.") from exc
        current = GuidelineModelVersion.objects.select_for_update().filter(is_active=True).first()
        if current is not None:
            GuidelineModelVersion.objects.filter(pk=current.pk).update(is_active=False)
        target.is_active = True
        target.previous = current
        target.promoted_at = timezone.now()
        target.promoted_by = actor if getattr(actor, "pk", None) else None
        target.save(update_fields=["is_active", "previous", "promoted_at", "promoted_by"])
        _log(
            actor,
            DecisionAction.MODEL_PROMOTED,
            f"Promoted {target.name}.",
            {"version": target.name, "replaced": current.name if current else BASE_NAME},
        )
        _changed()
    return target


def rollback(actor: Any | None = None, to: GuidelineModelVersion | int | None = None) -> str:
    """Go back to the version active before the current one (or to ``to``; the base model
    when there was none). Returns the name now in use. Raises VersionError when no site
    model is active and no ``to`` is given."""
    from masthead.moderation.models import DecisionAction

    with transaction.atomic():
        current = GuidelineModelVersion.objects.select_for_update().filter(is_active=True).first()
        if to is None and current is None:
            raise VersionError("The base model is already in use; there is nothing to roll back.")
        if to is not None:
            pk = to.pk if isinstance(to, GuidelineModelVersion) else int(to)
            target = GuidelineModelVersion.objects.filter(pk=pk).first()
            if target is None:
                raise VersionError("That model version does not exist.")
        else:
            target = current.previous if current is not None else None
        if target is not None and target.is_active:
            raise VersionError(f"{target.name} is already the model in use.")
        if target is not None:
            try:
                load_model(target)
            except ModelFileError as exc:
                raise VersionError(f"{target.name} cannot be used: {exc}.") from exc
        if current is not None:
            GuidelineModelVersion.objects.filter(pk=current.pk).update(is_active=False)
        if target is not None:
            GuidelineModelVersion.objects.filter(pk=target.pk).update(
                is_active=True, promoted_at=timezone.now()
            )
        name = target.name if target is not None else BASE_NAME
        _log(
            actor,
            DecisionAction.MODEL_ROLLED_BACK,
            f"Rolled back to {name}.",
            {"from": current.name if current else BASE_NAME, "to": name},
        )
        _changed()
    return name


def set_thresholds(
    version: GuidelineModelVersion | int,
    thresholds: dict[str, dict[str, float | None]],
    actor: Any | None = None,
) -> GuidelineModelVersion:
    """Replace ``version``'s thresholds (``{label: {"hold": t, "reject": t | None}}``,
    each in [0, 1], reject >= hold) and log the change. Raises VersionError for bad input."""
    from masthead.moderation.guidelines.rules.site_model import validate_thresholds
    from masthead.moderation.models import DecisionAction

    pk = version.pk if isinstance(version, GuidelineModelVersion) else int(version)
    target = GuidelineModelVersion.objects.filter(pk=pk).first()
    if target is None:
        raise VersionError("That model version does not exist.")
    try:
        clean = validate_thresholds(thresholds, target.labels)
    except ValueError as exc:
        raise VersionError(str(exc)) from exc
    with transaction.atomic():
        before = target.thresholds
        target.thresholds = clean
        target.save(update_fields=["thresholds"])
        _log(
            actor,
            DecisionAction.MODEL_THRESHOLDS,
            f"Changed thresholds of {target.name}.",
            {"version": target.name, "before": before, "after": clean},
        )
        if target.is_active:
            _changed()
    return target
