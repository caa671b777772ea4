"""URL configuration: feeds, sitemaps, search, admin, then Wagtail's page tree."""

from __future__ import annotations

from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from masthead.articles import feeds
from masthead.articles.news_sitemap import news_sitemap
from masthead.core import routing
from masthead.core.page_cache import shared
from masthead.core.views import robots_txt
from masthead.search.views import search

feed_patterns = (
    [
        path("latest.rss", shared(feeds.SiteFeed()), name="site-rss"),
        path("latest.atom", shared(feeds.SiteAtomFeed()), name="site-atom"),
        path("<slug:slug>.rss", shared(feeds.SectionFeed()), name="section-rss"),
        path("<slug:slug>.atom", shared(feeds.SectionAtomFeed()), name="section-atom"),
    ],
    "feeds",
)

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("masthead.accounts.allauth_urls")),  # before allauth's own
    path("accounts/", include("allauth.urls")),
    path("search/", search, name="search"),
    path("feeds/", include(feed_patterns)),
    path("sitemap.xml", shared(sitemap), name="sitemap"),
    path("news-sitemap.xml", shared(news_sitemap), name="news-sitemap"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("", include("masthead.membership_urls")),
    path("comments/", include("masthead.comments.urls")),
    path("newsletters/", include("masthead.newsletters.urls")),
    path("notifications/", include("masthead.notifications.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
else:
    # Media uploaded by editors; in production nginx serves /media/ (see docs/production.md).
    from django.views.static import serve

    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

# Wagtail's own URLs, with its page view wrapped to remember story routes
# (masthead.core.routing); the name stays ``wagtail_serve`` so page URLs reverse as before.
urlpatterns += [
    path("", include([p for p in wagtail_urls.urlpatterns if p.name != "wagtail_serve"])),
    re_path(wagtail_urls.serve_pattern, routing.serve, name="wagtail_serve"),
]
