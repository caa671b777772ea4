"""The site's own guidelines model: moderators' decisions become training data.

Modules (each one job):

* :mod:`.models` -- ``LabelledDecision`` (the decision store), ``GuidelineModelVersion``,
  ``TrainingRun``.
* :mod:`.store` -- the one writer of the store (``record_decision``), recording from the
  queue and imports, erase, ``import_decisions`` files.
* :mod:`.features` / :mod:`.sitemodel` -- features (text + the base engine's scores) and the
  trained model object (no Django imports).
* :mod:`.training` -- train, evaluate on the newest decisions, save versions.
* :mod:`.versions` -- promote, rollback, thresholds, the active version, loading files.
* :mod:`.runtime` -- puts the active model into the engine (``rules.site_model`` registry).
* :mod:`.tasks` -- the background retrain task and its trigger.
* :mod:`.curve` -- the learning curve printed by ``make eval``.

Import the submodules directly (this package does not import Django models eagerly).
"""
