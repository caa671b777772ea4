"""Training the site model: refusals, promotion only when better, versions and rollback,
the fallback to the base model, the decision log's model version, the retrain task."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from masthead.moderation import services
from masthead.moderation.guidelines.rules import site_model
from masthead.moderation.learning import runtime, training, versions
from masthead.moderation.learning.models import (
    GuidelineModelVersion,
    LabelledDecision,
    TrainingRun,
    TrainingStatus,
)
from masthead.moderation.models import ModerationDecision

from .django_fixtures import *  # noqa: F403  (shared Django fixtures)
from .learning_data import record_synthetic, spam

pytestmark = pytest.mark.django_db

ADVERT = "Great deals on cheap perfume and watches are waiting for you at our online store today, so order now."


@pytest.fixture(autouse=True)
def _models_dir(settings: Any, tmp_path: Path) -> Any:
    """Model files in a temporary folder; the engine back on the base model afterwards."""
    settings.MASTHEAD_GUIDELINES_MODELS_DIR = str(tmp_path / "models")
    settings.MASTHEAD_GUIDELINES_RETRAIN_EVERY = 0
    site_model.install(None)
    runtime._state["stamp"] = None
    yield
    site_model.install(None)
    runtime._state["stamp"] = None


@pytest.fixture
def trained() -> GuidelineModelVersion:
    """300 synthetic decisions (adverts the base engine cannot see) trained and promoted."""
    record_synthetic(300)
    result = training.train()
    assert result.status == "promoted", result.message
    return result.version


def test_too_few_decisions_keep_the_base_model(capsys: Any) -> None:
    record_synthetic(150)
    call_command("train_guidelines")
    out = capsys.readouterr().out
    assert "Only 150 moderator decisions so far; training needs at least 200" in out
    assert "The model in use (base) stays" in out
    assert not GuidelineModelVersion.objects.exists()
    assert TrainingRun.objects.get().status == TrainingStatus.SKIPPED


def test_one_class_keeps_the_base_model() -> None:
    record_synthetic(220, labels=("acceptable",))
    result = training.train()
    assert result.status == "skipped"
    assert "All 220 decisions have the same label (acceptable)" in result.message
    assert versions.active_version() is None


def test_better_model_is_promoted_with_figures_and_file(trained: GuidelineModelVersion) -> None:
    v = trained
    assert v.is_active and v.name == "site-1" and v.n_decisions == 300 and v.n_holdout == 60
    path = versions.models_dir() / v.file_name
    assert path.is_file() and versions.sha256_of(path) == v.sha256
    m = v.metrics
    assert m["compared_with"]["name"] == "base"
    assert m["macro_f1"] > m["compared_with"]["macro_f1"]
    assert m["per_category"]["spam"]["support"] > 0 and m["per_category"]["spam"]["f1"] > 0.9
    assert m["confusion"]["labels"] == ["acceptable", "spam"]
    assert sum(map(sum, m["confusion"]["matrix"])) == 60
    assert m["pr_curve"]["spam"] and all(len(p) == 3 for p in m["pr_curve"]["spam"])
    assert set(v.thresholds) == {"spam"} and 0 < v.thresholds["spam"]["hold"] < 1
    log = ModerationDecision.objects.get(action="model-promoted")
    assert log.details == {"version": "site-1", "replaced": "base"}


def test_training_prints_both_figures(capsys: Any) -> None:
    record_synthetic(300)
    call_command("train_guidelines")
    out = capsys.readouterr().out
    assert "Trained site-1 on 300 decisions" in out
    assert "site-1       macro-F1" in out and "(in use)" in out and "base         macro-F1" in out
    assert "promoted" in out


def test_a_model_no_better_than_the_one_in_use_is_kept_not_promoted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record_synthetic(300)

    def perfect(texts: list[str], base_rows: Any) -> tuple[str, list[str]]:
        truth = dict(LabelledDecision.objects.values_list("text", "label"))
        return "base", [truth[t] for t in texts]

    monkeypatch.setattr(training, "_current_predictions", perfect)
    result = training.train()
    assert result.status == "kept" and "base stays in use" in result.message
    assert result.new_f1 <= result.current_f1 == 1.0
    v = GuidelineModelVersion.objects.get()
    assert (
        not v.is_active
        and not v.better_than_active
        and (versions.models_dir() / v.file_name).exists()
    )
    assert versions.active_version() is None


def test_new_comments_are_decided_by_the_site_model_and_logged_with_its_version(
    trained: GuidelineModelVersion, member: Any, moderator: Any, make_comment: Any, story: Any
) -> None:
    verdict = services.check_text(ADVERT, member, story)
    result = next(r for r in verdict.results if r.rule == "site_model")
    assert result.details["version"] == "site-1" and result.details["scores"]["spam"] > 0.5
    assert verdict.decision >= 1 and "LINKS" in [c.value for c in verdict.reasons]
    assert not any(r.rule == "abuse" for r in verdict.results)  # replaced, base scores inside
    assert "model" in result.details["base"]
    comment = make_comment(member, ADVERT, verdict=verdict.to_dict())
    services.reject([comment], moderator)
    entry = ModerationDecision.objects.get(action="reject")
    assert entry.model_version == "site-1"
    plain = make_comment(
        member, "Fine.", verdict=services.check_text("Fine words.", member, story).to_dict()
    )
    services.approve([plain], moderator)
    assert ModerationDecision.objects.get(action="approve").model_version == "site-1"


def test_decision_log_names_the_base_model_without_a_site_model(
    member: Any, moderator: Any, make_comment: Any, story: Any
) -> None:
    verdict = services.check_text("The council should publish the figures soon.", member, story)
    comment = make_comment(
        member, "The council should publish the figures soon.", verdict=verdict.to_dict()
    )
    services.approve([comment], moderator)
    assert ModerationDecision.objects.get(action="approve").model_version == "base"


def test_rollback_and_promote_again(trained: GuidelineModelVersion, moderator: Any) -> None:
    record_synthetic(50, seed=2)
    second = training.train(promote_if_better=False).version
    versions.promote(second, moderator)
    assert versions.active_name() == second.name
    assert versions.rollback(moderator) == "site-1"
    assert versions.rollback(moderator) == "base"
    assert runtime.model_version() == "base" and site_model.installed() is None
    with pytest.raises(versions.VersionError, match="nothing to roll back"):
        versions.rollback(moderator)
    assert versions.rollback(moderator, to=second) == second.name
    with pytest.raises(versions.VersionError, match="already the model in use"):
        versions.promote(second, moderator)
    assert ModerationDecision.objects.filter(action="model-rollback").count() == 3


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_missing_or_corrupt_file_falls_back_to_the_base_model(
    trained: GuidelineModelVersion,
    damage: str,
    member: Any,
    story: Any,
    caplog: Any,
    client: Any,
) -> None:
    path = versions.models_dir() / trained.file_name
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(b"not a model")
    with caplog.at_level(logging.ERROR):
        runtime.active_changed()
    assert "the base model decides" in caplog.text and trained.name in caplog.text
    verdict = services.check_text(ADVERT, member, story)
    assert any(r.rule == "abuse" for r in verdict.results)
    assert not any(r.rule == "site_model" for r in verdict.results)
    # the story page (with its comment form) still answers
    assert client.get(story.url).status_code == 200
    assert versions.rollback() == "base"  # leaving a broken version is always possible
    with pytest.raises(versions.VersionError, match="cannot be used"):
        versions.promote(trained)


def test_changed_file_is_never_unpickled(trained: GuidelineModelVersion, monkeypatch: Any) -> None:
    import joblib

    path = versions.models_dir() / trained.file_name
    path.write_bytes(path.read_bytes() + b"\0")
    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("unpickled a changed file"))
    with pytest.raises(versions.ModelFileError, match="has changed"):
        versions.load_model(trained)


def test_thresholds_are_validated_and_take_effect(
    trained: GuidelineModelVersion, member: Any, story: Any
) -> None:
    with pytest.raises(versions.VersionError, match="no category 'abusive'"):
        versions.set_thresholds(trained, {"abusive": {"hold": 0.5}})
    with pytest.raises(versions.VersionError, match="must not be below"):
        versions.set_thresholds(trained, {"spam": {"hold": 0.6, "reject": 0.2}})
    versions.set_thresholds(trained, {"spam": {"hold": 0.01, "reject": 0.02}})
    verdict = services.check_text(spam(__import__("random").Random(5)), member, story)
    assert verdict.decision == 2  # rejected at the new, low reject threshold


def test_retrain_task_runs_after_n_new_decisions(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from masthead.moderation.learning.store import record_decision

    settings.MASTHEAD_GUIDELINES_RETRAIN_EVERY = 3
    with django_capture_on_commit_callbacks(execute=True):
        record_decision("First decision text.", "acceptable", "queue")
        record_decision("Second decision text.", "abusive", "queue")
    assert not TrainingRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        record_decision("Third decision text.", "acceptable", "queue")
    run = TrainingRun.objects.get()
    # the task ran (immediate backend in tests): too few decisions for a model
    assert run.trigger == "task" and run.status == TrainingStatus.SKIPPED and run.lock is None
    assert "Only 3 moderator decisions" in run.message
    from masthead.moderation.learning.tasks import new_decisions

    assert new_decisions() == 0
    with django_capture_on_commit_callbacks(execute=True):
        record_decision("Fourth decision text.", "acceptable", "queue")
    assert TrainingRun.objects.count() == 1  # 1 new < 3


def test_only_one_training_at_a_time(settings: Any) -> None:
    from masthead.moderation.learning.tasks import maybe_schedule_training

    settings.MASTHEAD_GUIDELINES_RETRAIN_EVERY = 1
    record_synthetic(5)
    running = training.acquire("command")
    with pytest.raises(training.TrainingBusy):
        training.train()
    with pytest.raises(CommandError, match="queued or running"):
        call_command("train_guidelines")
    assert maybe_schedule_training() is None
    assert TrainingRun.objects.count() == 1
    # a run locked for over an hour is taken as crashed
    TrainingRun.objects.filter(pk=running.pk).update(
        created_at=running.created_at - training.STALE_AFTER * 2
    )
    assert training.train().status == "skipped"
    assert TrainingRun.objects.get(pk=running.pk).status == TrainingStatus.FAILED
