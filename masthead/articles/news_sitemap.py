"""Google News sitemap: stories published in the last 48 hours.

Format: https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap
(``news:publication`` with name and language, ``news:publication_date`` in W3C
format, ``news:title``; at most 1,000 URLs; only articles from the last two days).
"""

from __future__ import annotations

from datetime import timedelta
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from masthead.articles.models import StoryPage

NEWS_WINDOW = timedelta(hours=48)
NEWS_MAX_URLS = 1000


def news_sitemap(request: HttpRequest) -> HttpResponse:
    """Render the Google News sitemap as ``application/xml``."""
    since = timezone.now() - NEWS_WINDOW
    stories = (
        StoryPage.objects.live()
        .public()
        .filter(
            Q(published_at__gte=since) | Q(published_at__isnull=True, first_published_at__gte=since)
        )
        .order_by("-published_at")
        .only("id", "title", "published_at", "first_published_at", "url_path", "path", "depth")[
            :NEWS_MAX_URLS
        ]
    )
    name = escape(settings.MASTHEAD_SITE_NAME)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">',
    ]
    for story in stories:
        lines.append(
            f"<url><loc>{escape(settings.SITE_URL + story.url)}</loc><news:news><news:publication><news:name>{name}</news:name>"
            "<news:language>en</news:language></news:publication>"
            f"<news:publication_date>{story.display_published.isoformat()}</news:publication_date><news:title>{escape(story.title)}</news:title>"
            "</news:news></url>"
        )
    lines.append("</urlset>")
    response = HttpResponse("\n".join(lines), content_type="application/xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
