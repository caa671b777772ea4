"""Wagtail's tasks and ours share one TASKS setting and run on the chosen backend."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult
from wagtail.tasks import update_reference_index_task

from masthead.articles.tasks import reindex_story

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_wagtail_task_and_masthead_task_run_on_the_database_backend(make_story):
    story = make_story("Task story")
    # django-tasks rebuilds its backends when TASKS changes (its setting_changed receiver).
    with override_settings(TASKS=DB_TASKS):
        assert type(task_backends["default"]).__name__ == "DatabaseBackend"
        ours = reindex_story.enqueue(story.pk)
        theirs = update_reference_index_task.enqueue("articles", "storypage", str(story.pk))
        assert DBTaskResult.objects.filter(status="READY").count() >= 2
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        ours.refresh()
        theirs.refresh()
        assert ours.status.name == "SUCCESSFUL", ours
        assert ours.return_value is True
        assert theirs.status.name == "SUCCESSFUL", theirs
