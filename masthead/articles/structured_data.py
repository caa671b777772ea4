"""schema.org ``NewsArticle`` JSON-LD for a story.

Fields follow Google's Article structured-data guide and its guidance for
subscription and paywalled content: ``isAccessibleForFree`` is ``false`` for
metered and subscriber stories, with ``hasPart`` naming the CSS class of the gated
part (``.story__gated``). No body text is ever included (``articleBody`` is left
out on purpose), so the JSON-LD cannot leak gated text.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from masthead.articles.dates import site_zone
from masthead.articles.models import AccessLevel, StoryPage

GATED_CSS_CLASS = "story__gated"


def _iso(value) -> str | None:  # noqa: ANN001 - datetime | None
    return timezone.localtime(value, site_zone()).isoformat() if value else None


def news_article(story: StoryPage, *, image_url: str | None = None) -> dict[str, Any]:
    """Return the JSON-LD dict for ``story`` (dates carry the site zone's offset)."""
    url = settings.SITE_URL + (story.url or "")
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": story.title[:110],
        "description": story.standfirst,
        "datePublished": _iso(story.display_published),
        "dateModified": _iso(
            story.display_updated or story.last_published_at or story.display_published
        ),
        "dateline": story.dateline or None,
        "author": [{"@type": "Person", "name": a.name} for a in story.authors.all()]
        or [{"@type": "Organization", "name": settings.MASTHEAD_SITE_NAME}],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.MASTHEAD_SITE_NAME,
            "url": settings.SITE_URL,
        },
        "isAccessibleForFree": story.effective_access_level == AccessLevel.FREE,
    }
    section = story.get_parent()
    if section is not None:
        data["articleSection"] = section.title
    if image_url:
        data["image"] = [image_url]
    if story.effective_access_level != AccessLevel.FREE:
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": f".{GATED_CSS_CLASS}",
        }
    return {k: v for k, v in data.items() if v is not None}
