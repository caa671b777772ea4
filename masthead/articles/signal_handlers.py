"""Signal handlers for the page tree: keep cached navigation in step with publishing."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

SECTION_NAV_CACHE_KEY = "masthead:section-nav"


@receiver(page_published)
@receiver(page_unpublished)
def clear_section_nav(sender: type, instance: Any, **kwargs: Any) -> None:
    """Drop the cached section navigation when a section is published or unpublished."""
    from masthead.articles.models import SectionPage

    if isinstance(instance, SectionPage):
        cache.delete(SECTION_NAV_CACHE_KEY)
