"""Scheduled publishing and expiry run by the task worker (found by a newcomer helper:
nothing ran Wagtail's ``publish_scheduled``, so scheduled stories never went live)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from masthead.articles.models import StoryPage
from masthead.articles.scheduling import LOCK_KEY, ScheduledPublisher, publish_due_pages
from masthead.articles.services import paragraphs_to_body

pytestmark = pytest.mark.django_db


def scheduled_story(world, go_live_at):  # noqa: ANN001, ANN201
    """A story an editor published with a go-live time (a draft with an approved revision)."""
    story = StoryPage(
        title="Scheduled story",
        slug="scheduled-story",
        standfirst="Out at the set time.",
        body=paragraphs_to_body(["Lead paragraph.", "Second paragraph."]),
        live=False,
        go_live_at=go_live_at,
    )
    world.add_child(instance=story)
    story.save_revision(approved_go_live_at=go_live_at)
    return story


def test_a_due_story_goes_live_and_an_expired_one_comes_down(world, make_story, settings):
    settings.MASTHEAD_SCHEDULE_SECONDS = 30
    cache.delete(LOCK_KEY)
    due = scheduled_story(world, timezone.now() - timedelta(seconds=5))
    expiring = make_story("Expiring story")
    StoryPage.objects.filter(pk=expiring.pk).update(expire_at=timezone.now() - timedelta(seconds=5))
    client = Client()
    assert client.get("/world/scheduled-story/").status_code == 404
    expiring_url = expiring.url
    assert client.get(expiring_url).status_code == 200
    assert publish_due_pages()
    due.refresh_from_db()
    expiring.refresh_from_db()
    assert due.live and not expiring.live and expiring.expired
    assert client.get("/world/scheduled-story/").status_code == 200
    assert client.get(expiring_url).status_code == 404


def test_a_story_not_yet_due_waits(world, settings):
    settings.MASTHEAD_SCHEDULE_SECONDS = 30
    cache.delete(LOCK_KEY)
    later = scheduled_story(world, timezone.now() + timedelta(hours=1))
    assert publish_due_pages()
    later.refresh_from_db()
    assert not later.live


def test_one_worker_runs_it_per_interval(world, settings):
    """With several workers, the lock in the shared cache lets one run it per interval."""
    settings.MASTHEAD_SCHEDULE_SECONDS = 30
    cache.delete(LOCK_KEY)
    assert publish_due_pages()
    assert not publish_due_pages()
    cache.delete(LOCK_KEY)  # the interval has passed
    assert publish_due_pages()


def test_the_thread_runs_every_interval_and_survives_an_error(monkeypatch):
    import threading

    runs = []
    done = threading.Event()

    def fake() -> bool:
        runs.append(1)
        if len(runs) == 1:
            raise RuntimeError("database away")
        done.set()
        return True

    monkeypatch.setattr("masthead.articles.scheduling.publish_due_pages", fake)
    publisher = ScheduledPublisher(interval=0.01)
    publisher.start()
    assert done.wait(5)
    publisher.stop()
    publisher.join(5)
    assert not publisher.is_alive() and len(runs) >= 2


def test_the_task_worker_runs_the_publisher_beside_the_tasks(monkeypatch, settings):
    from django_tasks_db.management.commands.db_worker import Command as TaskWorker

    from masthead.newsletters.management.commands.db_worker import Command

    settings.MASTHEAD_SCHEDULE_SECONDS = 30
    events: list[str] = []

    class Spy(ScheduledPublisher):
        def start(self) -> None:
            events.append("publisher started")

        def stop(self) -> None:
            events.append("publisher stopped")

    monkeypatch.setattr(TaskWorker, "handle", lambda self, *a, **k: events.append("tasks"))
    monkeypatch.setattr(
        "masthead.newsletters.management.commands.db_worker.ScheduledPublisher", Spy
    )
    Command().handle()  # (the tests' TASKS backend is not the database one)
    assert events == ["publisher started", "tasks", "publisher stopped"]
    settings.MASTHEAD_SCHEDULE_SECONDS = 0
    events.clear()
    Command().handle()
    assert events == ["tasks"]
