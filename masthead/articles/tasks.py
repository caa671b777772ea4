"""Background tasks for stories (django-tasks; arguments are IDs, never objects)."""

from __future__ import annotations

from django_tasks import task
from wagtail.search.backends import get_search_backend

from masthead.articles.models import StoryPage


@task()
def reindex_story(page_id: int) -> bool:
    """Re-index one story in the site search; returns False when the story is gone."""
    story = StoryPage.objects.filter(pk=page_id).first()
    if story is None:
        return False
    get_search_backend().add(story)
    return True
